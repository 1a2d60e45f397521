"""The visual BOM builder's server side (desk page ``bom-builder``).

``load`` reads a BOM's header and lines, ``preview`` runs the engine on lines that are still being edited
(the draft stands in for the product's default BOM, nothing is written), ``save`` writes the lines through the
BOM document (so permissions and every validation run), ``new_version`` copies a submitted BOM as a draft.

Every quantity comes from the engine (``tree``, ``cost``, ``capacity``); the builder only multiplies the
tree's per-line quantities by the catalog's rates to show a cost per line and per level.
No ``from __future__ import annotations`` here: Frappe checks argument types from real annotations only.
"""

import math
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import cint, flt

from truecraft_bom import engine
from truecraft_bom.arguments import json_list, record, whitelist
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import message, problems_message

READ = ["GET", "POST"]

# What the builder edits on a line; everything else on an existing row is kept as it was.
NUMBER_FIELDS = ("qty", "tc_setup_qty", "tc_attrition", "tc_rounding_multiple")
CHECK_FIELDS = ("tc_consumable", "tc_optional", "tc_inherited", "do_not_explode")
TEXT_FIELDS = ("tc_reference", "tc_note")
EDITABLE = ("item_code", *NUMBER_FIELDS, *CHECK_FIELDS, *TEXT_FIELDS)
# Shown with each line but not edited: filled by ERPNext from the item when a line is new or changes item.
SHOWN = ("name", "item_name", "uom", "stock_uom", "conversion_factor", "rate")


@whitelist(methods=READ)
def load(bom: str | None = None, item_code: str | None = None):
	"""A BOM for the builder: header, lines and a preview. ``item_code`` alone: the item's default BOM
	(an item without one, such as a variant that only inherits, is previewed read-only)."""
	_check_read()
	if not bom and item_code:
		bom = frappe.db.get_value("Item", record("Item", item_code), "default_bom")
	if not bom:
		if not item_code:
			frappe.throw(_("Open the builder from a BOM or an item"))
		return {
			"bom": None,
			"item_code": item_code,
			"item_name": frappe.db.get_value("Item", item_code, "item_name"),
			"quantity": 1,
			"currency": frappe.db.get_default("currency"),
			"docstatus": None,
			"lines": [],
			"preview": _preview(item_code, None, company=stock_company(item_code)),
		}
	doc = frappe.get_doc("BOM", record("BOM", bom))
	doc.check_permission("read")
	lines = [_line_out(row) for row in doc.items]
	return {
		"bom": doc.name,
		"item_code": doc.item,
		"item_name": doc.item_name,
		"quantity": doc.quantity,
		"uom": doc.uom,
		"company": doc.company,
		"currency": frappe.get_cached_value("Company", doc.company, "default_currency") or doc.currency,
		"docstatus": doc.docstatus,
		"is_default": doc.is_default,
		"is_active": doc.is_active,
		"modified": str(doc.modified),
		"can_write": bool(doc.docstatus == 0 and doc.has_permission("write")),
		"can_create": bool(frappe.has_permission("BOM", "create")),
		"lines": lines,
		"preview": _preview(doc.item, _stand_in(doc.quantity, lines), company=stock_company(doc.item)),
	}


@whitelist(methods=READ)
def preview(
	item_code: str,
	quantity: float | str = 1,
	lines: str | list | None = None,
	qty: float | str = 1,
	warehouse: str | None = None,
):
	"""The engine on draft lines (a JSON list of BOM line fields) standing in for the item's default BOM:
	the requirement tree with each line's quantity and cost, cost per level, the cost roll-up of ``qty`` units
	and the capacity. Problems (a bad line, a cycle) come back as ``error``/``problems``, never raised."""
	_check_read(warehouse)
	record("Item", item_code)
	stand_in = None if lines is None else _stand_in(quantity, _lines_in(lines))
	return _preview(item_code, stand_in, qty, warehouse, stock_company(item_code, warehouse))


@whitelist(methods=["POST"])
def save(bom: str, lines: str | list, quantity: float | str | None = None, modified: str | None = None):
	"""Write the lines (and the batch quantity) onto a draft BOM and save it the normal way: permissions,
	ERPNext's validation and the app's BOM rules all run, and a refused save changes nothing."""
	doc = frappe.get_doc("BOM", record("BOM", bom))
	doc.check_permission("write")
	if doc.docstatus != 0:
		frappe.throw(_("BOM {0} is submitted: make a new version to change it").format(frappe.bold(bom)))
	if modified and str(doc.modified) != str(modified):
		frappe.throw(
			_("BOM {0} was changed by someone else since you opened it: reload the builder").format(
				frappe.bold(bom)
			),
			frappe.TimestampMismatchError,
		)
	if quantity is not None and quantity != "":
		doc.quantity = _number(quantity)
	existing = {row.name: row for row in doc.items}
	rows = []
	for line in _lines_in(lines):
		if not line.get("item_code"):
			continue
		old = existing.get(line.get("name"))
		if old is not None and old.item_code == line.item_code:
			row = old.as_dict(no_default_fields=True)  # keeps uom, rate, source warehouse...
		else:
			row = {}  # new line, or another item: ERPNext fills uom, rate, name... from the item
		row.update({field: line.get(field) for field in EDITABLE})
		rows.append(row)
	doc.set("items", rows)
	doc.save()
	return {"bom": doc.name, "modified": str(doc.modified)}


@whitelist(methods=["POST"])
def new_version(bom: str):
	"""A draft copy of a submitted BOM, as ERPNext's "New Version" makes it (not default until submitted)."""
	source = frappe.get_doc("BOM", record("BOM", bom))
	source.check_permission("read")
	if source.docstatus == 0:
		frappe.throw(_("BOM {0} is a draft: edit it directly").format(frappe.bold(bom)))
	doc = frappe.copy_doc(source)
	doc.docstatus = 0  # copy_doc keeps it; ERPNext's client-side copy starts a draft
	doc.insert()
	return {"bom": doc.name}


def _check_read(warehouse: str | None = None):
	from truecraft_bom.api import _check

	_check(warehouse=warehouse)


def stock_company(item_code: str, warehouse: str | None = None) -> str | None:
	from truecraft_bom.api import stock_company

	return stock_company(item_code, warehouse)


def _line_out(row) -> dict:
	line = {field: row.get(field) for field in (*SHOWN, *EDITABLE)}
	for field in CHECK_FIELDS:
		line[field] = cint(line[field])
	return line


def _lines_in(lines) -> list:
	"""Draft lines from the page: only the fields the builder edits (plus the row name and UOM factor),
	numbers as numbers (an empty or unreadable one is 0, which the engine reports)."""
	result = []
	for line in json_list(lines, "lines"):
		line = frappe._dict(line)
		clean = frappe._dict(
			name=line.get("name") or None,
			item_code=(line.get("item_code") or "").strip(),
			conversion_factor=_number(line.get("conversion_factor")) or 1,
		)
		for field in NUMBER_FIELDS:
			clean[field] = _number(line.get(field))
		clean.tc_rounding_multiple = clean.tc_rounding_multiple or None
		for field in CHECK_FIELDS:
			clean[field] = cint(line.get(field))
		for field in TEXT_FIELDS:
			clean[field] = line.get(field) or None
		result.append(clean)
	return result


def _stand_in(quantity, lines) -> frappe._dict:
	"""A doc-like BOM the catalog accepts in place of the default one. Quantities are taken in stock UOM."""
	rows = []
	for line in lines:
		row = frappe._dict(line)
		row.pop("stock_qty", None)  # recomputed from qty and the UOM factor: the line may have been edited
		row.conversion_factor = _number(row.get("conversion_factor")) or 1
		rows.append(row)
	return frappe._dict(quantity=_number(quantity), items=rows)


def _number(value) -> float:
	"""A number from the page: an empty, unreadable or endless one (NaN, 1e999) is 0, which the engine or
	ERPNext's BOM validation reports."""
	number = flt(value) if isinstance(value, str | int | float) else 0
	return number if math.isfinite(number) else 0


def _preview(
	item_code: str, stand_in, qty=1, warehouse: str | None = None, company: str | None = None
) -> dict:
	result = {"item_code": item_code, "qty": qty, "error": None, "problems": None}
	boms = {item_code: stand_in} if stand_in is not None else None
	catalog = load_catalog([item_code], warehouse, company, boms=boms)
	if stand_in is not None:
		problems = engine.validate(catalog, [item_code])
		if problems:
			result["problems"] = problems_message(problems)
	try:
		quantity = engine.positive(qty)
	except engine.EngineError as error:
		result["error"] = message(error)
		return result
	result["qty"] = engine.to_decimal(quantity)
	try:
		tree = engine.tree(catalog, item_code, quantity, True)
		result["cost"] = _rest(engine.cost(catalog, item_code, quantity).as_dict())
		result["capacity"] = _rest(engine.capacity(catalog, item_code).as_dict())
	except engine.EngineError as error:
		result["error"] = message(error)
		return result
	names = _names(tree)
	levels: dict[int, Decimal] = {}
	result["tree"] = _node(catalog, tree, names, levels, 0, False)
	result["levels"] = [{"level": level, "cost": levels[level]} for level in sorted(levels)]
	if stand_in is not None:
		_number_lines(result["tree"], stand_in["items"])
	return result


def _node(catalog, node: dict, names: dict, levels: dict, depth: int, excluded: bool) -> dict:
	"""A tree node with its item's name, UOM, rate and cost (a sub-assembly: the sum of its lines). Lines
	left out of the cost (optional ones, and everything under them) are marked ``excluded``."""
	code = node["item"]
	item = catalog.items.get(code)
	excluded = excluded or bool(node.get("optional"))
	out = {key: value for key, value in node.items() if key not in ("item", "children")}
	out.update(
		item_code=code,
		item_name=names.get(code, ("", ""))[0],
		stock_uom=names.get(code, ("", ""))[1],
		level=depth,
		excluded=excluded,
	)
	if "children" in node and (depth == 0 or node["children"]):
		children = [_node(catalog, child, names, levels, depth + 1, excluded) for child in node["children"]]
		out["children"] = children
		out["cost"] = engine.money(sum((c["cost"] for c in children if not c["excluded"]), Decimal(0)))
	else:
		rate = item.rate if item is not None else 0
		out["rate"] = engine.money(rate)
		out["cost"] = engine.money(engine.exact(node["qty"]) * rate)
		if not excluded:
			levels[depth] = levels.get(depth, Decimal(0)) + out["cost"]
	return out


def _number_lines(root: dict, rows) -> None:
	"""Tie the product's own first-level nodes to the draft lines they came from (``line``: the index in the
	lines sent; lines without an item are not in the tree). Lines inherited from a template get ``None``."""
	indexes = iter([position for position, row in enumerate(rows) if row.get("item_code")])
	for child in root.get("children", []):
		child["line"] = None if child.get("inherited_from") else next(indexes, None)


def _names(tree: dict) -> dict[str, tuple[str, str]]:
	codes = set()
	stack = [tree]
	while stack:
		node = stack.pop()
		codes.add(node["item"])
		stack.extend(node.get("children", []))
	rows = frappe.get_all(
		"Item", filters={"name": ("in", list(codes))}, fields=["name", "item_name", "stock_uom"]
	)
	return {row.name: (row.item_name, row.stock_uom) for row in rows}


def _rest(value: dict) -> dict:
	return {("item_code" if key == "item" else key): item for key, item in value.items()}
