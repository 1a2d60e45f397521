"""Stock Entry: an entry posted for a sale is cancelled with the sale, not on its own. An entry made from a Work
Order carries the engine's quantities, takes the order's reservation as it posts and gives it back when
cancelled; no entry takes stock reserved for another Work Order."""

import frappe
from frappe import _

from truecraft_bom import production, reservation


def before_validate(doc, method=None):
	# once per entry: later saves keep what the user changed
	if doc.docstatus == 0 and doc.get("work_order") and doc.get("from_bom") and not doc.get("tc_from_engine"):
		production.set_stock_entry_materials(doc)


def before_submit(doc, method=None):
	reservation.check_free(reservation.outgoing(doc), doc, own_order=doc.get("work_order"))
	if doc.get("work_order"):
		reservation.take(doc)


def on_cancel(doc, method=None):
	if doc.get("work_order"):
		reservation.take(doc, sign=-1)


def before_cancel(doc, method=None):
	if not doc.get("tc_source_name") or doc.flags.get("truecraft_reversal"):
		return
	if frappe.db.get_value(doc.tc_source_doctype, doc.tc_source_name, "docstatus") == 1:
		frappe.throw(
			_(
				"{0} was posted for {1} {2}: cancel that document instead, and this entry is cancelled with it"
			).format(doc.name, _(doc.tc_source_doctype), frappe.bold(doc.tc_source_name)),
			title=_("Cancel the Sale Instead"),
		)
