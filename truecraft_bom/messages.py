"""Every sentence the app says about BOMs, once: a template with named placeholders per message code.

Pure Python, no Frappe. The engine's errors and problems carry only a code and data; ``str()`` of an error and
``Problem.message`` render English here. The desk passes ``frappe._`` as ``translate`` and an escaping
``frappe.bold`` as ``emphasize``; the CLI passes neither. Templates are wrapped in ``_()`` so that Frappe's
translation extractor finds them.
"""

from __future__ import annotations

import html as markup
from collections.abc import Callable, Iterable, Mapping
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache
from string import Formatter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
	from truecraft_bom.engine.errors import EngineError, Problem


def _(text: str) -> str:
	"""Marks a template for translation extraction; returns it unchanged."""
	return text


TEMPLATES: dict[str, str] = {
	# errors of an engine call
	"unknown_item": _("Item {item} not found"),
	"no_bom": _("{item} has no default BOM (and inherits no BOM lines from a template)"),
	"quantity": _("Quantity must be a number above zero, not {value}"),
	"tree_too_large": _(
		"The BOM of {item} is too large to show as a tree (more than {nodes} lines over all its paths, or more "
		"than {depth} levels): explode it for the flat list of materials"
	),
	"engine_error": _("The BOM engine refused the request ({code})"),
	"usage": _("usage: {detail} (see truecraft-bom --help)"),
	# validation problems, by code or, where a code has several wordings, by data["reason"]
	"cycle": _("The BOMs form a cycle: {path}"),
	"cycle.variants": _("The variant chain forms a cycle: {path}"),
	"self_reference": _("BOM of {bom}: {product} cannot be a component of itself"),
	"duplicate_line": _("BOM of {bom}: {item} is on more than one line; merge them into one line"),
	"self_substitute": _("BOM of {bom}, line {item}: an item cannot be its own substitute"),
	"no_variant_match": _("{product}: no variant of {item} matches its attributes ({attributes})"),
	"ambiguous_variant": _(
		"{product}: more than one variant of {item} matches its attributes ({attributes}): {candidates}"
	),
	"unknown_item.component": _("BOM of {bom}: item {item} does not exist"),
	"unknown_item.substitute": _("BOM of {bom}, line {item}: substitute {substitute} does not exist"),
	"unknown_item.product": _("BOM for an unknown item {bom}"),
	"unknown_item.scrap": _("BOM of {bom}: scrap item {item} does not exist"),
	"bad_quantity": _("BOM of {bom}: a quantity must be a number above zero"),
	"bad_overage": _("BOM of {bom}, line {item}: the overage is not valid"),
	"line.not_a_number": _('BOM of {bom}, line {item}: {label} must be a number, not "{value}"'),
	"line.not_positive": _("BOM of {bom}, line {item}: {label} must be above zero, not {value}{unit}"),
	"line.below_minimum": _(
		"BOM of {bom}, line {item}: {label} must be at least {minimum}{unit}, not {value}{unit}"
	),
	"line.out_of_range": _(
		"BOM of {bom}, line {item}: {label} must be at least {minimum}{unit} and below {below}{unit}, "
		"not {value}{unit}"
	),
	"bom.not_a_number": _('BOM of {bom}: {label} must be a number, not "{value}"'),
	"bom.not_positive": _("BOM of {bom}: {label} must be above zero, not {value}"),
	"scrap.not_a_number": _('BOM of {bom}, scrap {item}: {label} must be a number, not "{value}"'),
	"scrap.not_positive": _("BOM of {bom}, scrap {item}: {label} must be above zero, not {value}"),
	"overage.unreadable": _(
		'BOM of {bom}, line {item}: overage "{value}" must be a quantity (3) or a percentage (5%)'
	),
	"overage.conflict": _("BOM of {bom}, line {item}: give either overage or setup_qty/attrition, not both"),
	# a sale that stock cannot cover
	"shortage": _("Not enough materials to make what was sold. Nothing was posted."),
	"shortage_in": _(
		"Not enough materials in {warehouse} to make what this {doctype} sells. Nothing was posted."
	),
	"shortfall": _("{items}: needed {needed}, available {available}"),
	"sellable_header": _("Most that can be sold now:"),
	"sellable": _("{product}: {qty}"),
	"sellable_unlimited": _("{product}: unlimited"),
	# scenario files (the truecraft-bom command)
	"scenario.no_file": _("{where}: no such file"),
	"scenario.directory": _("{where}: is a directory, not a scenario file"),
	"scenario.not_utf8": _("{where}: not a UTF-8 text file"),
	"scenario.not_json": _("{where}: not valid JSON ({detail} at line {line} column {column})"),
	"scenario.unreadable": _("{where}: cannot be read ({detail})"),
	"scenario.top_level": _("{where}: the top level must be an object with 'items' and 'boms'"),
	"scenario.unknown_key": _("{where}: unknown field '{key}'"),
	"scenario.items": _("{where}: 'items' must be an object mapping item codes to their fields"),
	"scenario.boms": _("{where}: 'boms' must be an object mapping product codes to BOMs"),
	"scenario.item": _("{where}: must be an object of item fields"),
	"scenario.attributes": _("{where}: must be an object of attribute name to value"),
	"scenario.item_code": _("{where}: must be an item code"),
	"scenario.bom": _("{where}: must be an object with 'quantity' and 'lines'"),
	"scenario.lines": _("{where}: must be a list of lines"),
	"scenario.line": _("{where}: must be an object with at least 'item' and 'qty'"),
	"scenario.scrap": _("{where}: must be a list of objects with 'item' and 'qty'"),
	"scenario.substitutes": _("{where}: must be a list of item codes"),
	"scenario.text": _("{where}: must be text"),
	"scenario.number": _("{where}: expected a number, got {value}"),
	"scenario.flag": _("{where}: expected true or false, got {value}"),
}

TITLES: dict[str, str] = {
	"no_bom": _("No BOM"),
	"quantity": _("Invalid Quantity"),
	"bom_problems": _("BOM Problems"),
	"shortage": _("Not Enough Materials"),
	"tree_too_large": _("BOM Too Large To Show"),
}

# Keys whose values are item codes or document names: ``emphasize`` applies to each of them.
NAMES = frozenset({"item", "bom", "product", "substitute", "warehouse", "items", "path", "candidates"})
_JOINS = {"path": " → ", "items": " / "}
_PLACES = Decimal(1).scaleb(-9)
_WIDE = Context(prec=120)

Translate = Callable[[str], str]
Emphasize = Callable[[str], str]


def render(
	code: str,
	data: Mapping,
	translate: Translate | None = None,
	emphasize: Emphasize | None = None,
	html: bool = False,
) -> str:
	"""The message ``code`` with ``data`` filled in; ``html`` escapes every value ``emphasize`` did not take."""
	template = TEMPLATES.get(code)
	if template is None:
		template, data = TEMPLATES["engine_error"], {"code": code}
	values = _Values(
		(key, _show(key, value, translate, emphasize, html)) for key, value in data.items() if key != "reason"
	)
	text = translate(template) if translate else template
	if text is not template and _placeholders(text) != _placeholders(template):
		text = template  # a translation that lost or renamed a placeholder would drop a value: keep English
	return text.format_map(values)


def problem_message(
	problem: Problem,
	translate: Translate | None = None,
	emphasize: Emphasize | None = None,
	html: bool = False,
) -> str:
	"""One validation problem as a sentence."""
	data = {"bom": problem.bom, "item": problem.item, **problem.data}
	return render(problem.data.get("reason") or problem.code, data, translate, emphasize, html)


def problems_message(
	problems: Iterable[Problem],
	translate: Translate | None = None,
	emphasize: Emphasize | None = None,
	html: bool = False,
) -> str:
	"""Several problems: an HTML list, or plain lines ("- ...") when there is more than one."""
	lines = [problem_message(problem, translate, emphasize, html) for problem in problems]
	if html:
		return _html_list(lines)
	if len(lines) == 1:
		return lines[0]
	return "\n".join(f"- {line}" for line in lines)


def error_message(
	error: EngineError,
	translate: Translate | None = None,
	emphasize: Emphasize | None = None,
	html: bool = False,
	context: Mapping | None = None,
) -> str:
	"""An engine error as a message. ``context`` adds data only the caller knows (warehouse, doctype)."""
	data = {**error.data, **(context or {})}
	if error.code == "bom_problems":
		return problems_message(error.problems, translate, emphasize, html)
	if error.code == "shortage":
		return _shortage(error, data, translate, emphasize, html)
	return render(error.code, data, translate, emphasize, html)


def title(error: EngineError, translate: Translate | None = None) -> str | None:
	"""A dialog title for the error, or None for the caller's default."""
	text = TITLES.get(error.code)
	if text is None:
		return None
	return translate(text) if translate else text


def _shortage(error, data, translate, emphasize, html) -> str:
	def say(code, values):
		return render(code, values, translate, emphasize, html)

	header = say("shortage_in" if data.get("warehouse") and data.get("doctype") else "shortage", data)
	short = [
		say("shortfall", {"items": s.items, "needed": s.needed, "available": s.available})
		for s in error.shortfalls
	]
	sellable = [
		say("sellable_unlimited" if qty is None else "sellable", {"product": product, "qty": qty})
		for product, qty in error.sellable.items()
	]
	blocks: list[str | list[str]] = [header, short]
	if sellable:
		blocks += [say("sellable_header", {}), sellable]
	if html:
		return "".join(_html_list(block) if isinstance(block, list) else block for block in blocks)
	lines = []
	for block in blocks:
		if isinstance(block, list):
			lines.extend(f"- {line}" for line in block)
		else:
			lines.append(block)
	return "\n".join(lines)


def _html_list(lines: list[str]) -> str:
	return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


@lru_cache(maxsize=512)
def _placeholders(text: str) -> frozenset[str] | None:
	"""The named placeholders of a template, or None when it is not a valid template."""
	try:
		return frozenset(
			name for _literal, name, _spec, _conversion in Formatter().parse(text) if name is not None
		)
	except ValueError:
		return None


class _Values(dict):
	"""Placeholders the data does not fill render as nothing rather than failing the whole message."""

	def __missing__(self, key):
		return ""


def _show(key: str, value, translate, emphasize, html) -> str:
	if key == "attributes":
		pairs = sorted(value.items()) if isinstance(value, Mapping) else value
		text = ", ".join(f"{name}: {shown}" for name, shown in pairs)
		if not text:
			text = translate(_("none")) if translate else _("none")
		return markup.escape(text) if html else text
	if key == "label" and translate and value:
		value = translate(value)
	if isinstance(value, list | tuple):
		return _JOINS.get(key, ", ").join(
			_show(key, element, translate, emphasize, html) for element in value
		)
	text = _plain(value)
	if key in NAMES and emphasize is not None:
		return emphasize(text)
	return markup.escape(text) if html else text


def _plain(value) -> str:
	"""Numbers as plain decimals (no exponent, no trailing zeros); None as nothing."""
	if value is None:
		return ""
	if isinstance(value, bool):
		return str(value)
	if isinstance(value, Fraction):
		value = _WIDE.divide(Decimal(value.numerator), Decimal(value.denominator))
		if value != value.to_integral_value():
			value = value.quantize(_PLACES, context=_WIDE)
	if isinstance(value, Decimal):
		if not value.is_finite():
			return str(value)
		text = format(value, "f")
		return text.rstrip("0").rstrip(".") if "." in text else text
	return str(value)
