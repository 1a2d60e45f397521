"""Stock Entry: an entry posted for a sale is cancelled with the sale, not on its own."""

import frappe
from frappe import _


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
