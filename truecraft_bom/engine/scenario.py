"""Scenario files: a catalog as JSON, the same shape the ERPNext adapter builds from the database.

Structure and item fields must be right or the whole file is refused (ScenarioError). A number of a line, BOM
or scrap output that cannot be read is kept as a defect, so ``validate`` can report it with the others. The
line keys and their parsing follow ``rules.LINE_RULES``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from . import errors as E
from .errors import ScenarioError
from .model import Bom, Catalog, Defect, Item, Line, Scrap
from .quantity import ZERO, NotANumber, exact
from .rules import BATCH_QUANTITY_LABEL, LINE_RULES, NOT_A_NUMBER, QTY_LABEL, RULES, SCRAP_QTY_LABEL

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
_LINE_KEYS = {"item", "qty", "overage", "explode", "substitutes", *RULES}
_SCRAP_KEYS = {"item", "qty"}
_BOM_KEYS = {"quantity", "lines", "scrap"}


def load_scenario(path) -> Catalog:
	"""Read a scenario file. Raises ScenarioError with one clear sentence when it cannot be used."""
	where = {"where": str(path)}
	try:
		with open(path, encoding="utf-8") as handle:
			data = json.load(handle, parse_float=Decimal)
	except FileNotFoundError:
		raise ScenarioError("scenario.no_file", where) from None
	except IsADirectoryError:
		raise ScenarioError("scenario.directory", where) from None
	except UnicodeDecodeError:
		raise ScenarioError("scenario.not_utf8", where) from None
	except json.JSONDecodeError as error:
		raise ScenarioError(
			"scenario.not_json", {**where, "detail": error.msg, "line": error.lineno, "column": error.colno}
		) from None
	except OSError as error:
		raise ScenarioError("scenario.unreadable", {**where, "detail": error.strerror}) from None
	return catalog_from_dict(data, source=str(path))


def catalog_from_dict(data, source: str = "scenario") -> Catalog:
	"""Build a Catalog from the scenario structure ``{"items": {...}, "boms": {...}}``."""
	if not isinstance(data, Mapping):
		_refuse("scenario.top_level", source)
	_no_unknown(data, {"items", "boms"}, source)
	items_data = data.get("items", {})
	boms_data = data.get("boms", {})
	if not isinstance(items_data, Mapping):
		_refuse("scenario.items", source)
	if not isinstance(boms_data, Mapping):
		_refuse("scenario.boms", source)
	items = [_item(code, fields, f"{source}: items.{code}") for code, fields in items_data.items()]
	boms = [_bom(product, fields, f"{source}: boms.{product}") for product, fields in boms_data.items()]
	return Catalog(items, boms)


def _item(code: str, fields, where: str) -> Item:
	if fields is None:
		fields = {}
	if not isinstance(fields, Mapping):
		_refuse("scenario.item", where)
	_no_unknown(fields, _ITEM_KEYS, where)
	attributes = fields.get("attributes") or {}
	if not isinstance(attributes, Mapping) or not all(
		isinstance(k, str) and isinstance(v, str | int | Decimal) for k, v in attributes.items()
	):
		_refuse("scenario.attributes", f"{where}.attributes")
	variant_of = fields.get("variant_of")
	if variant_of is not None and not isinstance(variant_of, str):
		_refuse("scenario.item_code", f"{where}.variant_of")
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
		_refuse("scenario.bom", where)
	_no_unknown(fields, _BOM_KEYS, where)
	lines = fields.get("lines", [])
	if not isinstance(lines, list):
		_refuse("scenario.lines", f"{where}.lines")
	scrap = fields.get("scrap") or []
	if not isinstance(scrap, list):
		_refuse("scenario.scrap", f"{where}.scrap")
	defects: list[Defect] = []
	quantity = _readable(fields.get("quantity", 1), "bom", "quantity", BATCH_QUANTITY_LABEL, defects)
	return Bom(
		product=product,
		quantity=quantity,
		lines=tuple(_line(line, f"{where}.lines[{n}]") for n, line in enumerate(lines)),
		defects=tuple(defects),
		scrap=tuple(_scrap(output, f"{where}.scrap[{n}]") for n, output in enumerate(scrap)),
	)


def _line(fields, where: str) -> Line:
	if not isinstance(fields, Mapping):
		_refuse("scenario.line", where)
	_no_unknown(fields, _LINE_KEYS, where)
	item = _item_code(fields, where)
	defects: list[Defect] = []
	qty = _readable(fields.get("qty", 1), "line", "qty", QTY_LABEL, defects)
	values = {}
	for rule in LINE_RULES:
		if rule.numeric:
			raw = fields.get(rule.name)
			if raw is not None:
				values[rule.name] = _readable(raw, "line", rule.name, rule.label, defects, rule.problem)
		elif rule.kind == "flag":
			values[rule.name] = _flag(fields, rule.name, rule.default, where)
		else:
			values[rule.name] = _text(fields, rule.name, where)
	if fields.get("overage") is not None:
		values.update(_overage(fields, defects))
	substitutes = fields.get("substitutes") or []
	if isinstance(substitutes, str):
		substitutes = [substitutes]
	if not isinstance(substitutes, list) or not all(isinstance(code, str) and code for code in substitutes):
		_refuse("scenario.substitutes", f"{where}.substitutes")
	return Line(
		item=item,
		qty=qty,
		explode=_flag(fields, "explode", True, where),
		substitutes=tuple(substitutes),
		defects=tuple(defects),
		**values,
	)


def _overage(fields, defects: list[Defect]) -> dict[str, Fraction]:
	"""The shorthand as setup_qty and attrition; a defect when it is unreadable or given with either."""
	raw = fields["overage"]
	if "setup_qty" in fields or "attrition" in fields:
		defects.append(
			Defect(E.BAD_OVERAGE, {"reason": "overage.conflict", "field": "overage", "value": raw})
		)
		return {}
	parsed = parse_overage(raw)
	if parsed is None:
		defects.append(
			Defect(E.BAD_OVERAGE, {"reason": "overage.unreadable", "field": "overage", "value": raw})
		)
		return {}
	return dict(zip(("setup_qty", "attrition"), parsed, strict=True))


def _scrap(fields, where: str) -> Scrap:
	if not isinstance(fields, Mapping):
		_refuse("scenario.scrap", where)
	_no_unknown(fields, _SCRAP_KEYS, where)
	defects: list[Defect] = []
	qty = _readable(fields.get("qty", 1), "scrap", "qty", SCRAP_QTY_LABEL, defects)
	return Scrap(item=_item_code(fields, where), qty=qty, defects=tuple(defects))


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


def _readable(
	value, where: str, field: str, label: str, defects: list[Defect], code: str = E.BAD_QUANTITY
) -> Fraction | None:
	"""``value`` exactly, or None with a defect saying it is not a number (reported by validation)."""
	try:
		return exact(value)
	except NotANumber:
		data = {"reason": f"{where}.{NOT_A_NUMBER}", "field": field, "label": label, "value": _raw(value)}
		defects.append(Defect(code, data))
		return None


def _raw(value) -> str:
	"""An unreadable value as the file wrote it, for a message."""
	return "" if value is None else str(value)


def _item_code(fields, where: str) -> str:
	item = fields.get("item")
	if not isinstance(item, str) or not item:
		_refuse("scenario.item_code", f"{where}.item")
	return item


def _number(fields, key, default, where) -> Fraction:
	value = fields.get(key, default)
	if value is None:
		return default
	try:
		return exact(value)
	except NotANumber:
		_refuse("scenario.number", f"{where}.{key}", value=_raw(value))


def _flag(fields, key, default, where) -> bool:
	value = fields.get(key, default)
	if value in (0, 1) and not isinstance(value, Decimal):
		return bool(value)
	_refuse("scenario.flag", f"{where}.{key}", value=_raw(value))


def _text(fields, key, where) -> str:
	value = fields.get(key)
	if value is not None and not isinstance(value, str):
		_refuse("scenario.text", f"{where}.{key}")
	return value or ""


def _no_unknown(fields, allowed, where):
	unknown = set(fields) - allowed
	if unknown:
		_refuse("scenario.unknown_key", where, key=sorted(unknown)[0])


def _refuse(code: str, where: str, **data):
	raise ScenarioError(code, {"where": where, **data})
