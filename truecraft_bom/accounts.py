"""Accounts the app posts to: the expense account of a non-stock BOM line, the additional-cost rows that put
non-stock lines into a product's value, and the Work In Progress account of a company's WIP warehouse."""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe import _

from truecraft_bom import engine

# ERPNext's own lump row for every non-stock line of a BOM (erpnext.manufacturing.doctype.bom.bom
# .add_non_stock_items_cost): replaced by one row per non-stock item
LUMP_NON_STOCK_ROW = "Non stock items"


def non_stock_account(item: str, company: str, settings=None) -> str:
	"""The account a non-stock line's cost is credited to: the item's default expense account for the company,
	else TrueCraft Settings' Non-stock Lines Expense Account, else the company's default operating cost
	account, else its expenses included in valuation."""
	account = frappe.db.get_value("Item Default", {"parent": item, "company": company}, "expense_account")
	if not account:
		if settings is None:
			settings = frappe.get_cached_doc("TrueCraft Settings")
		account = settings.non_stock_expense_account
	if not account:
		account = frappe.get_cached_value(
			"Company", company, "default_operating_cost_account"
		) or frappe.get_cached_value("Company", company, "expenses_included_in_valuation")
	if not account:
		frappe.throw(
			_(
				"Set an expense account for non-stock item {0} (Item Defaults) or in TrueCraft Settings"
			).format(frappe.bold(item))
		)
	return account


def set_non_stock_costs(entry, costs: Iterable[engine.NonStockCost], settings=None):
	"""One additional-cost row per non-stock item of the build (exactly qty x rate, against its expense
	account), in place of ERPNext's lump row; other additional costs (operations) are kept."""
	kept = [row for row in entry.get("additional_costs") or [] if not _is_lump(row)]
	entry.set("additional_costs", kept)
	for cost in costs:
		if cost.amount:
			entry.append(
				"additional_costs",
				{
					"expense_account": non_stock_account(cost.item, entry.company, settings),
					"description": _("{0}: {1} at {2}").format(cost.item, cost.qty, cost.rate),
					"amount": cost.amount,
				},
			)


def _is_lump(row) -> bool:
	return (row.get("description") or "") in (LUMP_NON_STOCK_ROW, _(LUMP_NON_STOCK_ROW))


def set_up_wip_account(company: str, warehouse: str | None = None) -> dict:
	"""Give the company's Work In Progress warehouse (Manufacturing Settings' default, else "Work In
	Progress") an account of its own, created beside its default inventory account when missing, so that
	transfers post WIP Dr / Stores Cr and manufacture FG Dr / WIP Cr. Returns the warehouse and the account."""
	warehouse = warehouse or _wip_warehouse(company)
	if frappe.db.get_value("Warehouse", warehouse, "company") != company:
		frappe.throw(_("Warehouse {0} is not of company {1}").format(frappe.bold(warehouse), company))
	account = frappe.db.get_value("Warehouse", warehouse, "account")
	if not account:
		account = _wip_account(company)
		frappe.db.set_value("Warehouse", warehouse, "account", account)
		frappe.flags.pop("warehouse_account_map", None)  # ERPNext's map of warehouse accounts, per request
	return {"warehouse": warehouse, "account": account}


def _wip_warehouse(company: str) -> str:
	default = frappe.db.get_single_value("Manufacturing Settings", "default_wip_warehouse")
	if default and frappe.db.get_value("Warehouse", default, "company") == company:
		return default
	abbr = frappe.get_cached_value("Company", company, "abbr")
	name = frappe.db.get_value("Warehouse", {"company": company, "name": f"Work In Progress - {abbr}"})
	if not name:
		frappe.throw(
			_("Company {0} has no Work In Progress warehouse: set one in Manufacturing Settings").format(
				frappe.bold(company)
			)
		)
	return name


def _wip_account(company: str) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	name = f"{_('Work In Progress')} - {abbr}"
	if frappe.db.exists("Account", name):
		return name
	inventory = frappe.get_cached_value("Company", company, "default_inventory_account")
	parent = inventory and frappe.db.get_value("Account", inventory, "parent_account")
	if not parent:
		parent = frappe.db.get_value(
			"Account", {"company": company, "account_type": "Stock", "is_group": 1}, "name"
		)
	if not parent:
		frappe.throw(_("Company {0} has no stock asset account group").format(frappe.bold(company)))
	account = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": _("Work In Progress"),
			"parent_account": parent,
			"company": company,
			"account_type": "Stock",
			"is_group": 0,
		}
	)
	account.flags.ignore_permissions = True
	account.insert()
	return account.name
