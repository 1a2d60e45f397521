"""Sales deplete materials: the Frappe side of ``engine.depletion``.

For the made-to-order lines of a submitted sale, lock the stock rows the sale may touch (one fixed order, so
concurrent sales queue instead of overselling or deadlocking), ask the engine what to take, and post it as
Stock Entries in the same transaction: a Manufacture for the finished-stock shortfall when the document itself
then issues the product, or a Material Issue of the materials when it does not. Cancelling the sale cancels
those entries after the sale has returned its product.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import flt

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.messages import throw_engine_error
from truecraft_bom.truecraft_bom.doctype.truecraft_settings.truecraft_settings import get_settings

MANUFACTURE = "Manufacture"
MATERIAL_ISSUE = "Material Issue"


def deplete(doc, purpose: str) -> list[str]:
	"""Post the Stock Entries that take the made-to-order lines of ``doc`` out of stock; returns their names."""
	settings = get_settings()
	if not settings.deplete_on_sale or doc.get("is_return"):
		return []
	rows = _made_to_order_rows(doc)
	if not rows:
		return []

	# one sale line per (product, selling warehouse); materials come from the source warehouse
	groups: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
	for row in rows:
		source = settings.source_warehouse or row.warehouse
		if not source:
			frappe.throw(
				_("Row {0}: set a warehouse, or a materials source warehouse in TrueCraft Settings").format(
					row.idx
				)
			)
		groups[source][(row.item_code, row.warehouse)] += flt(row.stock_qty) or flt(row.qty)

	use_finished = purpose == MANUFACTURE and settings.use_finished_stock
	deplete_consumables = settings.consumables_at_sale == "Deplete"
	catalogs = {}
	to_lock: set[tuple[str, str]] = set()
	for source, sold in groups.items():
		products = sorted({product for product, _warehouse in sold})
		catalog = load_catalog(products, stock=False)
		try:
			touched = engine.materials_of(catalog, products)
		except engine.EngineError as error:
			throw_engine_error(error, title=_("Cannot deplete materials"))
		catalogs[source] = (catalog, touched)
		to_lock |= {(code, source) for code in touched}
		if use_finished:
			to_lock |= set(sold)
	# all rows in one fixed order: concurrent sales queue here instead of overselling or deadlocking
	locked = _lock_stock(to_lock)

	plans = []
	for source, sold in sorted(groups.items()):
		catalog, touched = catalogs[source]
		catalog = catalog.with_stock({code: _locked(locked, code, source) for code in touched})
		keys = sorted(sold)
		sales = [
			engine.SaleLine(
				product,
				engine.exact(sold[(product, warehouse)]),
				_available(locked.get((product, warehouse))) if use_finished else 0,
			)
			for product, warehouse in keys
		]
		try:
			builds = engine.plan_depletion(catalog, sales, deplete_consumables)
		except engine.ShortageError as error:
			_throw_shortage(doc, error, source)
		except engine.EngineError as error:
			throw_engine_error(error, title=_("Cannot deplete materials"))
		plans.append((source, keys, builds))

	posted = []
	# every line checked before anything is posted
	for source, keys, builds in plans:
		for (product, warehouse), build in zip(keys, builds, strict=True):
			if build.qty:
				posted.append(_post(doc, purpose, source, product, warehouse, build, settings))
	if posted:
		frappe.msgprint(
			_("Materials taken from stock by {0}").format(", ".join(posted)), alert=True, indicator="green"
		)
	return posted


def reverse(doc):
	"""Cancel the entries a sale posted, newest first (the sale has already returned its own product)."""
	names = frappe.get_all(
		"Stock Entry",
		filters={"tc_source_doctype": doc.doctype, "tc_source_name": doc.name, "docstatus": 1},
		order_by="creation desc, name desc",
		pluck="name",
	)
	for name in names:
		entry = frappe.get_doc("Stock Entry", name)
		entry.flags.truecraft_reversal = True
		entry.flags.ignore_permissions = True
		entry.cancel()


def _made_to_order_rows(doc):
	"""Rows of items marked to deplete on sale that this document must deplete (not done upstream)."""
	codes = {row.item_code for row in doc.items if row.item_code}
	if not codes:
		return []
	marked = set(
		frappe.get_all("Item", filters={"name": ("in", list(codes)), "tc_deplete_on_sale": 1}, pluck="name")
	)
	rows = []
	for row in doc.items:
		if row.item_code not in marked or flt(row.qty) <= 0:
			continue
		if doc.doctype == "Sales Invoice" and row.get("dn_detail"):
			continue  # the Delivery Note depleted it
		if doc.doctype == "Delivery Note" and row.get("si_detail") and _depleted(row.against_sales_invoice):
			continue  # the Sales Invoice depleted it
		rows.append(row)
	return rows


def _depleted(sales_invoice: str | None) -> bool:
	return bool(
		sales_invoice
		and frappe.db.exists(
			"Stock Entry",
			{"tc_source_doctype": "Sales Invoice", "tc_source_name": sales_invoice, "docstatus": 1},
		)
	)


def _lock_stock(keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[float, float]]:
	"""Lock the Bin rows of (item, warehouse) in one fixed order and read their current quantities.

	The locking read also sees what a concurrent sale committed while this one waited.
	"""
	if not keys:
		return {}
	bin_ = frappe.qb.DocType("Bin")
	items = sorted({item for item, _warehouse in keys})
	warehouses = sorted({warehouse for _item, warehouse in keys})
	rows = (
		frappe.qb.from_(bin_)
		.select(
			bin_.item_code,
			bin_.warehouse,
			bin_.actual_qty,
			bin_.reserved_stock,
			bin_.reserved_qty_for_production,
		)
		.where(bin_.item_code.isin(items) & bin_.warehouse.isin(warehouses))
		.orderby(bin_.item_code)
		.orderby(bin_.warehouse)
		.for_update()
		.run(as_dict=True)
	)
	return {
		(row.item_code, row.warehouse): (
			max(flt(row.actual_qty), 0),
			flt(row.reserved_stock) + flt(row.reserved_qty_for_production),
		)
		for row in rows
	}


def _locked(locked, code: str, warehouse: str) -> tuple[float, float]:
	"""(stock, reserved) of an item in a warehouse as locked; no Bin row means nothing there."""
	return locked.get((code, warehouse), (0, 0))


def _available(locked) -> float:
	if not locked:
		return 0
	stock, reserved = locked
	return max(stock - reserved, 0)


def _post(doc, purpose, source, product, warehouse, build, settings) -> str:
	company = doc.company
	entry = frappe.new_doc("Stock Entry")
	entry.stock_entry_type = purpose
	entry.purpose = purpose
	entry.company = company
	entry.set_posting_time = 1
	entry.posting_date = doc.posting_date
	entry.posting_time = doc.posting_time
	entry.tc_source_doctype = doc.doctype
	entry.tc_source_name = doc.name
	entry.remarks = _("Materials for {0} {1} of {2} sold on {3} {4}").format(
		build.qty, product, frappe.bold(warehouse), _(doc.doctype), doc.name
	)
	cost_center = doc.get("cost_center") or frappe.get_cached_value("Company", company, "cost_center")
	expense = None
	if purpose == MATERIAL_ISSUE:
		expense = frappe.get_cached_value("Company", company, "default_expense_account")
	for draw in build.materials:
		row = {"item_code": draw.item, "qty": draw.qty, "s_warehouse": source, "cost_center": cost_center}
		if expense:
			row["expense_account"] = expense
		entry.append("items", row)
	if purpose == MANUFACTURE:
		entry.append(
			"items",
			{
				"item_code": product,
				"qty": build.qty,
				"t_warehouse": warehouse,
				"is_finished_item": 1,
				"cost_center": cost_center,
			},
		)
		for cost in build.non_stock:
			if cost.amount:
				entry.append(
					"additional_costs",
					{
						"expense_account": _non_stock_account(cost.item, company, settings),
						"description": _("{0}: {1} at {2}").format(cost.item, cost.qty, cost.rate),
						"amount": cost.amount,
					},
				)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name


def _non_stock_account(item: str, company: str, settings) -> str:
	account = frappe.db.get_value("Item Default", {"parent": item, "company": company}, "expense_account")
	account = account or settings.non_stock_expense_account
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


def _throw_shortage(doc, error: engine.ShortageError, source: str):
	lines = "".join(
		"<li>"
		+ _("{0}: needed {1}, available {2}").format(
			" / ".join(frappe.bold(code) for code in shortfall.items), shortfall.needed, shortfall.available
		)
		+ "</li>"
		for shortfall in error.shortfalls
	)
	sellable = "".join(
		"<li>"
		+ (
			_("{0}: unlimited").format(frappe.bold(product))
			if most is None
			else _("{0}: {1}").format(frappe.bold(product), most)
		)
		+ "</li>"
		for product, most in error.sellable.items()
	)
	frappe.throw(
		_("Not enough materials in {0} to make what this {1} sells. Nothing was posted.").format(
			frappe.bold(source), _(doc.doctype)
		)
		+ f"<ul>{lines}</ul>"
		+ _("Most that can be sold now:")
		+ f"<ul>{sellable}</ul>",
		title=_("Not Enough Materials"),
		exc=InsufficientMaterialsError,
	)


class InsufficientMaterialsError(frappe.ValidationError):
	"""A sale needs more materials than there are: nothing is posted."""
