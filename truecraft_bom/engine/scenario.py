"""Scenario files: a catalog as JSON, the same shape the ERPNext adapter builds from the database.

Structure and item fields must be right or the whole file is refused (ScenarioError). A line quantity or
overage that cannot be read is kept as a defect of its line, so ``validate`` can report it with the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from . import errors as E
from .errors import ScenarioError
from .model import Bom, Catalog, Defect, Item, Line
from .quantity import ZERO, NotANumber, exact

_ITEM_KEYS = {
	"is_stock",
	"stock",
	"reserved",
	"rate",
	"whole_number",
	"variant_of",
	"has_variants",
	"attributes",
}
_LINE_KEYS = {
	"item",
	"qty",
	"setup_qty",
	"attrition",
	"overage",
	"rounding_multiple",
	"consumable",
	"optional",
	"inherited",
	"explode",
	"substitutes",
	"reference",
	"note",
}
_BOM_KEYS = {"quantity", "lines"}


def load_scenario(path) -> Catalog:
	"""Read a scenario file. Raises ScenarioError with one clear sentence when it cannot be used."""
	try:
		with open(path, encoding="utf-8") as handle:
			data = json.load(handle, parse_float=Decimal)
	except FileNotFoundError:
		raise ScenarioError(f"{path}: no such file") from None
	except IsADirectoryError:
		raise ScenarioError(f"{path}: is a directory, not a scenario file") from None
	except UnicodeDecodeError:
		raise ScenarioError(f"{path}: not a UTF-8 text file") from None
	except json.JSONDecodeError as error:
		raise ScenarioError(
			f"{path}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
		) from None
	except OSError as error:
		raise ScenarioError(f"{path}: cannot be read ({error.strerror})") from None
	return catalog_from_dict(data, source=str(path))


def catalog_from_dict(data, source: str = "scenario") -> Catalog:
	"""Build a Catalog from the scenario structure ``{"items": {...}, "boms": {...}}``."""
	if not isinstance(data, Mapping):
		raise ScenarioError(f"{source}: the top level must be an object with 'items' and 'boms'")
	unknown = set(data) - {"items", "boms"}
	if unknown:
		raise ScenarioError(
			f"{source}: unknown top-level key {sorted(unknown)[0]!r} (expected 'items' and 'boms')"
		)
	items_data = data.get("items", {})
	boms_data = data.get("boms", {})
	if not isinstance(items_data, Mapping):
		raise ScenarioError(f"{source}: 'items' must be an object mapping item codes to their fields")
	if not isinstance(boms_data, Mapping):
		raise ScenarioError(f"{source}: 'boms' must be an object mapping product codes to BOMs")
	items = [_item(code, fields, f"{source}: items.{code}") for code, fields in items_data.items()]
	boms = [_bom(product, fields, f"{source}: boms.{product}") for product, fields in boms_data.items()]
	return Catalog(items, boms)


def _item(code: str, fields, where: str) -> Item:
	if fields is None:
		fields = {}
	if not isinstance(fields, Mapping):
		raise ScenarioError(f"{where}: must be an object of item fields")
	_no_unknown(fields, _ITEM_KEYS, where)
	attributes = fields.get("attributes") or {}
	if not isinstance(attributes, Mapping) or not all(
		isinstance(k, str) and isinstance(v, str | int | Decimal) for k, v in attributes.items()
	):
		raise ScenarioError(f"{where}.attributes: must be an object of attribute name to value")
	variant_of = fields.get("variant_of")
	if variant_of is not None and not isinstance(variant_of, str):
		raise ScenarioError(f"{where}.variant_of: must be an item code")
	return Item(
		code=code,
		is_stock=_flag(fields, "is_stock", True, where),
		stock=_number(fields, "stock", ZERO, where),
		reserved=_number(fields, "reserved", ZERO, where),
		rate=_number(fields, "rate", ZERO, where),
		whole_number=_flag(fields, "whole_number", False, where),
		variant_of=variant_of,
		has_variants=_flag(fields, "has_variants", False, where),
		attributes={name: str(value) for name, value in attributes.items()},
	)


def _bom(product: str, fields, where: str) -> Bom:
	if isinstance(fields, list):
		fields = {"lines": fields}
	if not isinstance(fields, Mapping):
		raise ScenarioError(f"{where}: must be an object with 'quantity' and 'lines'")
	_no_unknown(fields, _BOM_KEYS, where)
	lines = fields.get("lines", [])
	if not isinstance(lines, list):
		raise ScenarioError(f"{where}.lines: must be a list of lines")
	defects = []
	quantity = fields.get("quantity", 1)
	try:
		quantity = exact(quantity)
	except NotANumber:
		defects.append(
			Defect(
				E.BAD_QUANTITY, f"BOM of {product}: batch quantity {quantity!r} is not a number", "quantity"
			)
		)
		quantity = None
	return Bom(
		product=product,
		quantity=quantity,
		lines=tuple(_line(product, line, f"{where}.lines[{n}]") for n, line in enumerate(lines)),
		defects=tuple(defects),
	)


def _line(product: str, fields, where: str) -> Line:
	if not isinstance(fields, Mapping):
		raise ScenarioError(f"{where}: must be an object with at least 'item' and 'qty'")
	_no_unknown(fields, _LINE_KEYS, where)
	item = fields.get("item")
	if not isinstance(item, str) or not item:
		raise ScenarioError(f"{where}.item: must be an item code")
	label = f"BOM of {product}, line {item}"
	defects: list[Defect] = []

	def number(key, default, code):
		value = fields.get(key, default)
		if value is None:
			return default
		try:
			return exact(value)
		except NotANumber:
			defects.append(Defect(code, f"{label}: {key} {value!r} is not a number", key))
			return default

	qty = fields.get("qty", 1)
	try:
		qty = exact(qty)
	except NotANumber:
		defects.append(Defect(E.BAD_QUANTITY, f"{label}: quantity {qty!r} is not a number", "qty"))
		qty = None
	setup_qty = number("setup_qty", ZERO, E.BAD_OVERAGE)
	attrition = number("attrition", ZERO, E.BAD_OVERAGE)
	if fields.get("overage") is not None:
		if "setup_qty" in fields or "attrition" in fields:
			defects.append(
				Defect(
					E.BAD_OVERAGE, f"{label}: give either overage or setup_qty/attrition, not both", "overage"
				)
			)
		else:
			parsed = parse_overage(fields["overage"])
			if parsed is None:
				defects.append(
					Defect(
						E.BAD_OVERAGE,
						f"{label}: overage {fields['overage']!r} must be a quantity (3) or a percentage (5%)",
						"overage",
					)
				)
			else:
				setup_qty, attrition = parsed
	multiple = number("rounding_multiple", None, E.BAD_QUANTITY)
	substitutes = fields.get("substitutes") or []
	if isinstance(substitutes, str):
		substitutes = [substitutes]
	if not isinstance(substitutes, list) or not all(isinstance(code, str) and code for code in substitutes):
		raise ScenarioError(f"{where}.substitutes: must be a list of item codes")
	for key in ("reference", "note"):
		if fields.get(key) is not None and not isinstance(fields[key], str):
			raise ScenarioError(f"{where}.{key}: must be text")
	return Line(
		item=item,
		qty=qty,
		setup_qty=setup_qty,
		attrition=attrition,
		rounding_multiple=multiple,
		consumable=_flag(fields, "consumable", False, where),
		optional=_flag(fields, "optional", False, where),
		inherited=_flag(fields, "inherited", False, where),
		explode=_flag(fields, "explode", True, where),
		substitutes=tuple(substitutes),
		reference=fields.get("reference") or "",
		note=fields.get("note") or "",
		defects=tuple(defects),
	)


def parse_overage(value) -> tuple[Fraction, Fraction] | None:
	"""The older single overage field: "3" is a setup quantity of 3, "5%" an attrition of 5 percent.

	Returns (setup_qty, attrition), or None when the value is neither.
	"""
	if isinstance(value, bool):
		return None
	text = str(value).strip()
	try:
		if text.endswith("%"):
			return ZERO, exact(text[:-1])
		return exact(text), ZERO
	except NotANumber:
		return None


def _number(fields, key, default, where) -> Fraction:
	value = fields.get(key, default)
	if value is None:
		return default
	try:
		return exact(value)
	except NotANumber:
		raise ScenarioError(f"{where}.{key}: expected a number, got {value!r}") from None


def _flag(fields, key, default, where) -> bool:
	value = fields.get(key, default)
	if value in (0, 1) and not isinstance(value, Decimal):
		return bool(value)
	raise ScenarioError(f"{where}.{key}: expected true or false, got {value!r}")


def _no_unknown(fields, allowed, where):
	unknown = set(fields) - allowed
	if unknown:
		raise ScenarioError(f"{where}: unknown field {sorted(unknown)[0]!r}")
