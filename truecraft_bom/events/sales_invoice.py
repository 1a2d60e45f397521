"""Sales Invoice: made-to-order lines take their materials from stock when the invoice is submitted; an invoice
that updates stock cannot take stock reserved for Work Orders."""

from frappe import _

from truecraft_bom import depletion, reservation


def before_submit(doc, method=None):
	# before_submit: the Manufacture entry must exist before the invoice posts its own stock issue
	depletion.deplete(doc, depletion.MANUFACTURE if doc.update_stock else depletion.MATERIAL_ISSUE)
	if doc.update_stock:
		reservation.check_free(reservation.outgoing(doc), doc)


def on_cancel(doc, method=None):
	# runs after the invoice reversed its own stock ledger, so the product it issued is back
	depletion.reverse(doc)


def get_dashboard_data(data):
	"""Show the entries the invoice posted under its connections."""
	data["non_standard_fieldnames"]["Stock Entry"] = "tc_source_name"
	data["transactions"].append({"label": _("Materials"), "items": ["Stock Entry"]})
	return data
