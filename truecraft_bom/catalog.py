"""Load the engine's Catalog from ERPNext in a constant number of bulk queries, whatever the BOM depth.

1. every default BOM (active, submitted, ``is_default``) joined with its lines and the app's line fields;
2. Item Alternatives of the items those BOMs and the asked products name (substitutes; ``two_way`` honoured);
3. all those items, their substitutes and the variants of any of them (flags, whole-number UOM);
4. attributes of the variants among them;
5. Bin quantities of those items, for a warehouse (and its children), a company, or the whole site.

Quantities are in stock UOM (BOM Item ``stock_qty``). ``reserved`` is stock held by Stock Reservation Entries
plus stock reserved for open Work Orders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import frappe
from frappe.query_builder.functions import Coalesce, Sum

from truecraft_bom.engine import Bom, Catalog, Defect, Item, Line
from truecraft_bom.engine.errors import BAD_QUANTITY

LINE_FIELDS = (
	"tc_setup_qty",
	"tc_attrition",
	"tc_rounding_multiple",
	"tc_consumable",
	"tc_optional",
	"tc_inherited",
	"tc_reference",
)


def load_catalog(
	items: Iterable[str] = (),
	warehouse: str | None = None,
	company: str | None = None,
	boms: Mapping[str, object] | None = None,
) -> Catalog:
	"""The catalog for ``items`` and everything any default BOM reaches, with stock of ``warehouse``/``company``.

	``boms`` maps a product to an unsaved BOM document (or a list of BOM Item rows) that stands in for its
	default BOM, so a BOM can be validated before it is saved.
	"""
	bom_rows = _default_boms()
	for product, doc in (boms or {}).items():
		bom_rows[product] = (doc, [row for row in doc.get("items") or [] if row.get("item_code")])

	codes = set(items) | set(bom_rows)
	for _header, lines in bom_rows.values():
		codes.update(row.item_code for row in lines)
	substitutes = _substitutes(codes)
	codes.update(code for options in substitutes.values() for code in options)
	item_rows = _items(codes)
	codes |= {row.name for row in item_rows}
	attributes = _attributes([row.name for row in item_rows if row.variant_of])
	stock = _stock(codes, warehouse, company)

	line_rate: dict[str, float] = {}
	for _header, lines in bom_rows.values():
		for row in lines:
			if row.get("base_rate") and row.item_code not in line_rate:
				line_rate[row.item_code] = row.base_rate / (row.get("conversion_factor") or 1)

	catalog_items = []
	for row in item_rows:
		on_hand = stock.get(row.name)
		rate = 0
		if on_hand and on_hand.actual_qty and on_hand.stock_value and row.is_stock_item:
			rate = on_hand.stock_value / on_hand.actual_qty
		rate = rate or row.valuation_rate or row.last_purchase_rate or line_rate.get(row.name) or 0
		catalog_items.append(
			Item(
				code=row.name,
				is_stock=bool(row.is_stock_item),
				stock=max(on_hand.actual_qty, 0) if on_hand else 0,
				reserved=(on_hand.reserved or 0) if on_hand else 0,
				rate=rate,
				whole_number=bool(row.must_be_whole_number),
				variant_of=row.variant_of or None,
				has_variants=bool(row.has_variants),
				attributes=attributes.get(row.name, {}),
			)
		)
	catalog_boms = [
		_bom(product, header, lines, substitutes) for product, (header, lines) in bom_rows.items()
	]
	return Catalog(catalog_items, catalog_boms)


def line_from_row(row, substitutes: Mapping[str, tuple[str, ...]] | None = None) -> Line:
	"""A BOM Item row (document or query row) as an engine Line."""
	qty = row.get("stock_qty")
	if qty is None:
		qty = (row.get("qty") or 0) * (row.get("conversion_factor") or 1)
	return Line(
		item=row.item_code,
		qty=qty,
		setup_qty=row.get("tc_setup_qty") or 0,
		attrition=row.get("tc_attrition") or 0,
		rounding_multiple=row.get("tc_rounding_multiple") or None,
		consumable=bool(row.get("tc_consumable")),
		optional=bool(row.get("tc_optional")),
		inherited=bool(row.get("tc_inherited")),
		explode=not row.get("do_not_explode"),
		substitutes=(substitutes or {}).get(row.item_code, ()),
		reference=row.get("tc_reference") or "",
	)


def _bom(product: str, header, lines, substitutes) -> Bom:
	quantity = header.get("quantity")
	defects = ()
	if not quantity or quantity <= 0:
		defects = (Defect(BAD_QUANTITY, f"BOM of {product}: quantity must be above zero", "quantity"),)
		quantity = None
	return Bom(
		product=product,
		quantity=quantity,
		lines=tuple(line_from_row(row, substitutes) for row in lines),
		defects=defects,
	)


def _default_boms() -> dict[str, tuple[dict, list]]:
	"""product -> (BOM header, its lines in order), for every default BOM, in one query."""
	bom = frappe.qb.DocType("BOM")
	bom_item = frappe.qb.DocType("BOM Item")
	rows = (
		frappe.qb.from_(bom)
		.left_join(bom_item)
		.on(
			(bom_item.parent == bom.name) & (bom_item.parenttype == "BOM") & (bom_item.parentfield == "items")
		)
		.select(
			bom.name.as_("bom"),
			bom.item.as_("product"),
			bom.quantity.as_("bom_quantity"),
			bom_item.item_code,
			bom_item.stock_qty,
			bom_item.qty,
			bom_item.conversion_factor,
			bom_item.do_not_explode,
			bom_item.base_rate,
			*(bom_item[field] for field in LINE_FIELDS),
		)
		.where((bom.is_default == 1) & (bom.is_active == 1) & (bom.docstatus == 1))
		.orderby(bom.name)
		.orderby(bom_item.idx)
		.run(as_dict=True)
	)
	result: dict[str, tuple[dict, list]] = {}
	for row in rows:
		if row.product not in result:
			result[row.product] = ({"name": row.bom, "quantity": row.bom_quantity}, [])
		if row.item_code:
			result[row.product][1].append(row)
	return result


def _items(codes: set[str]):
	if not codes:
		return []
	item = frappe.qb.DocType("Item")
	uom = frappe.qb.DocType("UOM")
	return (
		frappe.qb.from_(item)
		.left_join(uom)
		.on(uom.name == item.stock_uom)
		.select(
			item.name,
			item.is_stock_item,
			item.variant_of,
			item.has_variants,
			item.valuation_rate,
			item.last_purchase_rate,
			Coalesce(uom.must_be_whole_number, 0).as_("must_be_whole_number"),
		)
		.where(item.name.isin(list(codes)) | item.variant_of.isin(list(codes)))
		.run(as_dict=True)
	)


def _attributes(variants: list[str]) -> dict[str, dict[str, str]]:
	if not variants:
		return {}
	attribute = frappe.qb.DocType("Item Variant Attribute")
	rows = (
		frappe.qb.from_(attribute)
		.select(attribute.parent, attribute.attribute, attribute.attribute_value)
		.where(attribute.parent.isin(variants) & (attribute.parenttype == "Item"))
		.run(as_dict=True)
	)
	result: dict[str, dict[str, str]] = defaultdict(dict)
	for row in rows:
		if row.attribute_value is not None and row.attribute_value != "":
			result[row.parent][row.attribute] = str(row.attribute_value)
	return result


def _substitutes(codes: set[str]) -> dict[str, tuple[str, ...]]:
	if not codes:
		return {}
	alternative = frappe.qb.DocType("Item Alternative")
	rows = (
		frappe.qb.from_(alternative)
		.select(alternative.item_code, alternative.alternative_item_code, alternative.two_way)
		.where(alternative.item_code.isin(list(codes)) | alternative.alternative_item_code.isin(list(codes)))
		.orderby(alternative.creation)
		.run(as_dict=True)
	)
	result: dict[str, list[str]] = defaultdict(list)
	for row in rows:
		result[row.item_code].append(row.alternative_item_code)
		if row.two_way:
			result[row.alternative_item_code].append(row.item_code)
	return {code: tuple(dict.fromkeys(options)) for code, options in result.items()}


def _stock(codes: set[str], warehouse: str | None, company: str | None) -> dict:
	if not codes:
		return {}
	bin_ = frappe.qb.DocType("Bin")
	query = (
		frappe.qb.from_(bin_)
		.select(
			bin_.item_code,
			Sum(bin_.actual_qty).as_("actual_qty"),
			Sum(bin_.stock_value).as_("stock_value"),
			(Sum(Coalesce(bin_.reserved_stock, 0)) + Sum(Coalesce(bin_.reserved_qty_for_production, 0))).as_(
				"reserved"
			),
		)
		.where(bin_.item_code.isin(list(codes)))
		.groupby(bin_.item_code)
	)
	if warehouse or company:
		wh = frappe.qb.DocType("Warehouse")
		query = query.join(wh).on(wh.name == bin_.warehouse)
		if warehouse:
			parent = frappe.qb.DocType("Warehouse").as_("parent_warehouse")
			query = query.join(parent).on(
				(parent.name == warehouse) & (wh.lft >= parent.lft) & (wh.rgt <= parent.rgt)
			)
		if company:
			query = query.where(wh.company == company)
	return {row.item_code: row for row in query.run(as_dict=True)}
