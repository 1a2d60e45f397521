"""Work Orders on the engine: what an order needs (its required items, overage, non-stock costs and scrap) and
what the Stock Entries made from it carry.

An order is one build of its quantity (``engine.required_items``): setup quantities count once per order.
Its required items are the stock materials to transfer; consumable lines stay on the shop floor and non-stock
lines are costs. A Stock Entry for part of the order carries that part's share of each required item, and the
entry that completes the transfer (or the production) carries whatever is left, so the order's entries add up
to exactly its required items. No ``from __future__ import annotations``: the REST method's argument checks read
real annotations.
"""

import math
from fractions import Fraction

import frappe
from frappe import _
from frappe.utils import flt

from truecraft_bom import accounts, engine
from truecraft_bom.arguments import record, shown, whitelist
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import throw

TRANSFER = "Material Transfer for Manufacture"
MANUFACTURE = "Manufacture"


def order_of(work_order) -> engine.Order:
	"""The engine's answer for the order's quantity, from the order's own BOM."""
	return build(
		work_order.production_item,
		work_order.qty,
		bom_no=work_order.bom_no,
		company=work_order.company,
		include_optional=bool(work_order.get("tc_include_optional")),
		multi_level=bool(work_order.use_multi_level_bom),
	)


def build(
	product: str,
	qty,
	bom_no: str | None = None,
	company: str | None = None,
	include_optional: bool = False,
	multi_level: bool = True,
) -> engine.Order:
	"""One build of ``qty`` units of ``product`` from ``bom_no`` (standing in for the product's default BOM
	when it is another one). Engine errors are raised to the user."""
	boms = None
	if bom_no and bom_no != _default_bom(product):
		boms = {product: frappe.get_cached_doc("BOM", bom_no)}
	catalog = load_catalog([product], company=company, boms=boms, stock=False)
	try:
		return engine.required_items(
			catalog, product, qty, include_optional=include_optional, multi_level=multi_level
		)
	except engine.EngineError as error:
		throw(error, title=_("Cannot plan the build"))


def builds(product: str, qty, bom_no: str | None = None, company: str | None = None) -> dict:
	"""Units each sub-assembly of a multi-level build of ``qty`` units is built for."""
	boms = None
	if bom_no and bom_no != _default_bom(product):
		boms = {product: frappe.get_cached_doc("BOM", bom_no)}
	catalog = load_catalog([product], company=company, boms=boms, stock=False)
	try:
		return engine.explode(catalog, product, qty).builds
	except engine.EngineError as error:
		throw(error, title=_("Cannot plan the build"))


def _default_bom(product: str) -> str | None:
	return frappe.db.get_value(
		"BOM", {"item": product, "is_default": 1, "is_active": 1, "docstatus": 1}, "name"
	)


def set_required_items(work_order):
	"""Set the order's required items to the engine's: a row saved before is kept (same row, new figures) with
	its source warehouse, a new one takes the order's, else the item's default."""
	if not (work_order.bom_no and work_order.production_item and flt(work_order.qty) > 0):
		return
	order = order_of(work_order)
	# rows saved before keep their source warehouse; rows ERPNext has just made (no name yet) take the order's
	previous = {
		row.item_code: row
		for row in work_order.get("required_items") or []
		if row.name and not work_order.is_new() and row.source_warehouse
	}
	details = _item_details([row.item for row in order.items], work_order.company)
	rates = _rates(order, work_order)
	operation = work_order.operations[0].operation if len(work_order.get("operations") or []) == 1 else None
	work_order.set("required_items", [])
	for row in order.items:
		item = details.get(row.item, {})
		before = previous.pop(row.item, None)
		qty = flt(row.qty)
		rate = rates.get(row.item, 0)
		values = {
			"item_code": row.item,
			"item_name": item.get("item_name"),
			"description": item.get("description"),
			"stock_uom": item.get("stock_uom"),
			"allow_alternative_item": item.get("allow_alternative_item"),
			"include_item_in_manufacturing": 1,
			"required_qty": qty,
			"tc_overage_qty": flt(row.overage),
			"rate": rate,
			"amount": rate * qty,
			"operation": (before and before.operation) or operation,
			"source_warehouse": (before and before.source_warehouse)
			or work_order.source_warehouse
			or item.get("default_warehouse"),
		}
		if before is not None:
			# the saved row, updated in place: saving (and submitting) then rewrites it instead of deleting it
			# and inserting another, whose insert could deadlock with other orders submitted at the same time
			before.update(values)
			work_order.append("required_items", before)
		else:
			work_order.append("required_items", values)
	work_order.set_available_qty()


def _item_details(codes: list[str], company: str) -> dict[str, dict]:
	if not codes:
		return {}
	rows = frappe.db.sql(
		"""
		select item.name, item.item_name, item.description, item.stock_uom, item.allow_alternative_item,
			item_default.default_warehouse
		from `tabItem` item
		left join `tabItem Default` item_default
			on item_default.parent = item.name and item_default.company = %(company)s
		where item.name in %(codes)s
		""",
		{"codes": tuple(codes), "company": company},
		as_dict=True,
	)
	return {row.name: row for row in rows}


def _rates(order: engine.Order, work_order) -> dict[str, float]:
	"""Rates of the BOM's lines (ERPNext's required item rate), by item."""
	if not work_order.bom_no:
		return {}
	table = "BOM Explosion Item" if work_order.use_multi_level_bom else "BOM Item"
	rows = frappe.get_all(
		table,
		filters={"parent": work_order.bom_no, "parenttype": "BOM"},
		fields=["item_code", "rate"],
	)
	return {row.item_code: flt(row.rate) for row in rows}


def set_stock_entry_materials(entry):
	"""Material rows, scrap rows and non-stock costs of a Work Order's transfer or manufacture entry, from the
	engine: whatever the backflush setting, the order's entries add up to its required items."""
	if not entry.get("work_order") or entry.purpose not in (TRANSFER, MANUFACTURE):
		return
	work_order = frappe.get_doc("Work Order", entry.work_order)
	qty = flt(entry.fg_completed_qty)
	if qty <= 0:
		return
	if entry.purpose == TRANSFER:
		source_of = {row.item_code: row.source_warehouse for row in work_order.required_items}
		done_units = flt(work_order.material_transferred_for_manufacturing)
		done_field = "transferred_qty"
		target = work_order.wip_warehouse
	else:
		from_source = work_order.skip_transfer and not work_order.from_wip_warehouse
		source_of = {
			row.item_code: row.source_warehouse if from_source else work_order.wip_warehouse
			for row in work_order.required_items
		}
		done_units = flt(work_order.produced_qty)
		done_field = "consumed_qty"
		target = None
	last = done_units + qty >= flt(work_order.qty)
	kept = [row for row in entry.items if row.get("is_finished_item")]
	entry.set("items", [])
	for row in work_order.required_items:
		required = flt(row.required_qty)
		left = max(0.0, required - flt(row.get(done_field)))
		take = left if last else min(left, required * qty / flt(work_order.qty))
		if take <= 0:
			continue
		overage = flt(row.get("tc_overage_qty")) * take / required if required else 0
		entry.append(
			"items",
			{
				"item_code": row.item_code,
				"item_name": row.item_name,
				"description": row.description,
				"uom": row.stock_uom,
				"stock_uom": row.stock_uom,
				"conversion_factor": 1,
				"qty": take,
				"transfer_qty": take,
				"tc_overage_qty": overage,
				"s_warehouse": source_of.get(row.item_code),
				"t_warehouse": target,
				"allow_alternative_item": row.allow_alternative_item,
			},
		)
	if entry.purpose == MANUFACTURE:
		order = order_of(work_order)
		share = Fraction(str(qty)) / Fraction(str(flt(work_order.qty)))
		for row in kept:
			entry.append("items", row)
		scrap_warehouse = work_order.scrap_warehouse or frappe.db.get_single_value(
			"Manufacturing Settings", "default_scrap_warehouse"
		)
		for scrap in order.scrap:
			entry.append(
				"items",
				{
					"item_code": scrap.item,
					"qty": flt(engine.exact(scrap.qty) * share),
					"t_warehouse": scrap_warehouse,
					"is_scrap_item": 1,
					"conversion_factor": 1,
				},
			)
		accounts.set_non_stock_costs(entry, _scaled(order.non_stock, share))
	entry.tc_from_engine = 1
	for row in entry.items:
		row.transfer_qty = flt(row.qty) * flt(row.conversion_factor or 1)
		if not row.get("stock_uom"):
			row.stock_uom = frappe.get_cached_value("Item", row.item_code, "stock_uom")
			row.uom = row.uom or row.stock_uom
		if not row.get("cost_center"):
			row.cost_center = frappe.get_cached_value("Company", entry.company, "cost_center")


def _scaled(costs, share: Fraction) -> list[engine.NonStockCost]:
	"""The part of the order's non-stock costs a manufacture of ``share`` of its quantity carries."""
	scaled = []
	for cost in costs:
		qty = engine.exact(cost.qty) * share
		scaled.append(
			engine.NonStockCost(
				cost.item, engine.to_decimal(qty), cost.rate, engine.money(qty * engine.exact(cost.rate))
			)
		)
	return scaled


PURPOSES = (TRANSFER, MANUFACTURE, "Material Consumption for Manufacture", "Disassemble")


@whitelist()
def make_stock_entry(
	work_order_id: str, purpose: str, qty: float | str | None = None, target_warehouse: str | None = None
):
	"""ERPNext's Work Order → Stock Entry (Start, Finish, Make Stock Entry), with the engine's quantities.
	Needs read permission on the Work Order and create permission on Stock Entry."""
	from erpnext.manufacturing.doctype.work_order.work_order import make_stock_entry as erpnext_make

	frappe.get_doc("Work Order", record("Work Order", work_order_id)).check_permission("read")
	if not frappe.has_permission("Stock Entry", "create"):
		frappe.throw(_("Not permitted to make Stock Entries"), frappe.PermissionError)
	if purpose not in PURPOSES:
		frappe.throw(
			_("{0} must be one of {1}").format(shown("purpose"), ", ".join(PURPOSES)),
			frappe.ValidationError,
			title=_("Invalid Argument"),
		)
	if qty is not None and qty != "":
		try:
			qty = float(qty)
		except ValueError:
			qty = -1.0
		if not math.isfinite(qty) or qty < 0:
			frappe.throw(
				_("{0} must be a number of at least 0").format(shown("qty")),
				frappe.ValidationError,
				title=_("Invalid Argument"),
			)
	else:
		qty = None
	if target_warehouse:
		record("Warehouse", target_warehouse)

	made = erpnext_make(work_order_id, purpose, qty, target_warehouse)
	entry = frappe.get_doc(made)
	set_stock_entry_materials(entry)
	if entry.purpose in (TRANSFER, MANUFACTURE):
		entry.set_actual_qty()
		entry.calculate_rate_and_amount(raise_error_if_no_rate=False)
	return entry.as_dict()
