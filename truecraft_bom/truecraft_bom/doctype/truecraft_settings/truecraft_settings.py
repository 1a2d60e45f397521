# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class TrueCraftSettings(Document):
	def validate(self):
		if self.non_stock_expense_account:
			account = frappe.db.get_value(
				"Account", self.non_stock_expense_account, ["is_group", "root_type"], as_dict=True
			)
			if account and account.is_group:
				frappe.throw(_("The non-stock lines expense account cannot be a group account"))

	def on_update(self):
		before = self.get_doc_before_save()
		if (before.source_warehouse if before else None) != self.source_warehouse:
			# Production Capacity records follow the materials source warehouse
			from truecraft_bom.refresh import rebuild

			frappe.db.after_commit.add(rebuild)


def get_settings():
	"""The settings document, read fresh (a sale must never act on stale settings)."""
	return frappe.get_single("TrueCraft Settings")
