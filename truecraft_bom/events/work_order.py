"""Work Order: required items from the engine (truecraft_bom.production); submitting reserves them when every
one is free, and status changes and cancelling release what is left (truecraft_bom.reservation). Each change of
a submitted order refreshes capacity."""

from truecraft_bom import production, refresh, reservation


def validate(doc, method=None):
	# runs after ERPNext's own validate, which filled required_items from get_bom_items_as_dict
	production.set_required_items(doc)


def get_items(doc, method=None, *args, **kwargs):
	# the form's "Get Items" (and a BOM or quantity change) runs this document method: Frappe calls doc_events
	# named after it once ERPNext's own has filled the rows
	production.set_required_items(doc)


def before_submit(doc, method=None):
	reservation.check_order(doc)


def on_submit(doc, method=None):
	reservation.reserve(doc)


def on_change(doc, method=None):
	if doc.docstatus:
		reservation.sync(doc)
		refresh.stock_moved([row.item_code for row in doc.get("required_items") or []])
