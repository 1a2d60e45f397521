"""Production Plan on the engine: the raw materials a plan asks for (and the Material Requests it makes) are
the engine's required items of each planned product, with the same rules as the Work Orders the plan creates.

ERPNext's ``get_items_for_material_requests`` is replaced (``override_whitelisted_methods``); everything after
the explosion (projected quantities, minimum order quantities, safety stock, other warehouses) is ERPNext's
own. A plan with sub-assembly rows makes a Work Order per sub-assembly row and finished goods orders without
multi-level BOM: its raw materials are the first level of each finished good (less the sub-assemblies the plan
makes) and of each sub-assembly made in house, and the sub-assembly rows' quantities are the engine's builds.
"""

import json

import frappe
from frappe import _
from frappe.utils import flt

from truecraft_bom import production
from truecraft_bom.arguments import json_list, record, shown, whitelist


@whitelist()
def get_items_for_material_requests(
	doc: str | dict, warehouses: str | list | None = None, get_parent_warehouse_data: bool | None = None
):
	"""The plan's raw materials (ERPNext's method of that name, on the engine). Needs read permission on
	Production Plan."""
	from erpnext.manufacturing.doctype.production_plan import production_plan as erpnext_plan

	if not frappe.has_permission("Production Plan", "read"):
		frappe.throw(_("Not permitted to read Production Plans"), frappe.PermissionError)
	doc = _plan(doc)
	if warehouses:
		warehouses = json_list(warehouses, "warehouses")
		for row in warehouses:
			record("Warehouse", row.get("warehouse"))
	if doc.get("skip_available_sub_assembly_item") and doc.get("sub_assembly_items"):
		# sub-assemblies on hand change what is built: ERPNext's own walk decides that
		return erpnext_plan.get_items_for_material_requests(doc, warehouses, get_parent_warehouse_data)

	if warehouses:
		warehouses = list(set(erpnext_plan.get_warehouse_list(json.dumps(warehouses))))
		if (
			doc.get("for_warehouse")
			and not get_parent_warehouse_data
			and doc.get("for_warehouse") in warehouses
		):
			warehouses.remove(doc.get("for_warehouse"))
	doc["mr_items"] = []
	po_items = doc.get("po_items") or doc.get("items") or []
	if not [row.get("item_code") for row in po_items if row.get("item_code")]:
		frappe.throw(
			_("Items to Manufacture are required to pull the Raw Materials associated with it."),
			title=_("Items Required"),
		)
	company = doc.get("company")
	needed = required_materials(doc, po_items)
	details = _details(list(needed), company)
	warehouse = doc.get("for_warehouse")
	ignore_existing_ordered_qty = doc.get("ignore_existing_ordered_qty")
	mr_items = []
	for code, (qty, main_item) in needed.items():
		row = frappe._dict(details.get(code) or {"item_code": code})
		row.qty = qty
		row.main_bom_item = main_item
		bins = erpnext_plan.get_bin_details(row, company, warehouse)
		item = erpnext_plan.get_material_request_items(
			doc,
			row,
			doc.get("sales_order"),
			company,
			ignore_existing_ordered_qty,
			doc.get("include_safety_stock"),
			warehouse,
			bins[0] if bins else {},
		)
		if item:
			mr_items.append(item)
	if (not ignore_existing_ordered_qty or get_parent_warehouse_data) and warehouses:
		moved = []
		for item in mr_items:
			erpnext_plan.get_materials_from_other_locations(item, warehouses, moved, company)
		mr_items = moved
	if not mr_items:
		frappe.msgprint(
			_(
				"As there are sufficient raw materials, Material Request is not required for Warehouse {0}."
			).format(frappe.bold(doc.get("for_warehouse"))),
			title=_("Note"),
		)
	return mr_items


def _plan(doc) -> frappe._dict:
	"""The plan as the desk sends it (its JSON), checked: a company and rows of existing items."""
	if isinstance(doc, str):
		try:
			doc = json.loads(doc)
		except ValueError:
			doc = None
	if not isinstance(doc, dict):
		frappe.throw(
			_("{0} must be a Production Plan, as JSON").format(shown("doc")),
			frappe.ValidationError,
			title=_("Invalid Argument"),
		)
	doc = frappe._dict(doc)
	record("Company", doc.get("company"))
	if doc.get("for_warehouse"):
		record("Warehouse", doc.for_warehouse)
	for table in ("po_items", "sub_assembly_items"):
		rows = json_list(doc.get(table) or [], table)
		for row in rows:
			code = row.get("item_code") if table == "po_items" else row.get("production_item")
			if code:
				record("Item", code)
			bom = row.get("bom_no") or row.get("bom")
			if bom:
				record("BOM", bom)
		doc[table] = [frappe._dict(row) for row in rows]
	return doc


def required_materials(doc, po_items) -> dict[str, tuple[float, str]]:
	"""item -> (stock quantity the plan needs, the first planned product that needs it): each planned row is one
	build, as the Work Order made from it."""
	needed: dict[str, list] = {}
	sub_rows = [frappe._dict(row) for row in doc.get("sub_assembly_items") or []]
	made = {row.production_item for row in sub_rows if row.type_of_manufacturing != "Material Request"}
	builds = [
		(
			row.get("item_code"),
			row.get("required_qty") or row.get("planned_qty"),
			row.get("bom_no") or row.get("bom"),
		)
		for row in po_items
	]
	for row in sub_rows:
		if row.type_of_manufacturing == "Material Request":
			builds.append((row.production_item, row.qty, None))  # bought, as ERPNext plans it
		elif row.type_of_manufacturing == "In House" or doc.get("include_subcontracted_items"):
			builds.append((row.production_item, row.qty, row.bom_no))
	for position, (product, qty, bom_no) in enumerate(builds):
		qty = flt(qty)
		if not product or qty <= 0:
			continue
		if not bom_no:  # bought, not made: the item itself
			needed.setdefault(product, [0.0, product])[0] += qty
			continue
		if sub_rows:
			exploded = False  # every Work Order of the plan is one level: its sub-assemblies have their own
		else:
			exploded = bool(po_items[position].get("include_exploded_items"))
		order = production.build(
			product, qty, bom_no=bom_no, company=doc.get("company"), multi_level=exploded
		)
		lines = [(item.item, item.qty) for item in order.items if item.item not in made]
		if doc.get("include_non_stock_items"):
			lines += [(cost.item, cost.qty) for cost in order.non_stock]
		for code, amount in lines:
			needed.setdefault(code, [0.0, product])[0] += flt(amount)
	return {code: (qty, main) for code, (qty, main) in needed.items()}


def set_sub_assembly_quantities(doc, method=None, *args, **kwargs):
	"""After ERPNext's *Get Sub Assembly Items*: each sub-assembly is built for what the engine's explosion of
	the plan's finished goods asks of it (attrition, setup and rounding of the lines above it included);
	ERPNext's rows of one sub-assembly share that quantity in proportion to theirs."""
	if doc.get("skip_available_sub_assembly_item") or not doc.get("sub_assembly_items"):
		return
	wanted: dict[tuple[str | None, str], float] = {}
	for row in doc.po_items:
		if not (row.item_code and row.bom_no and flt(row.planned_qty) > 0):
			continue
		for code, units in production.builds(row.item_code, row.planned_qty, row.bom_no, doc.company).items():
			key = (None if doc.combine_sub_items else row.name, code)
			wanted[key] = wanted.get(key, 0.0) + flt(units)
	rows: dict[tuple[str | None, str], list] = {}
	for row in doc.sub_assembly_items:
		key = (None if doc.combine_sub_items else row.production_plan_item, row.production_item)
		rows.setdefault(key, []).append(row)
	for key, group in rows.items():
		if key not in wanted:
			continue
		theirs = sum(flt(row.qty) for row in group) or len(group)
		for row in group:
			share = (flt(row.qty) or 1) / theirs
			row.qty = row.stock_qty = flt(wanted[key] * share, row.precision("qty"))


def _details(codes: list[str], company: str) -> dict[str, dict]:
	if not codes:
		return {}
	rows = frappe.db.sql(
		"""
		select item.name as item_code, item.item_name, item.description, item.stock_uom,
			item.min_order_qty, item.default_material_request_type, item.purchase_uom, item.safety_stock,
			item_default.default_warehouse, uom.conversion_factor
		from `tabItem` item
		left join `tabItem Default` item_default
			on item_default.parent = item.name and item_default.company = %(company)s
		left join `tabUOM Conversion Detail` uom
			on uom.parent = item.name and uom.uom = item.purchase_uom
		where item.name in %(codes)s
		""",
		{"codes": tuple(codes), "company": company},
		as_dict=True,
	)
	return {row.item_code: row for row in rows}
