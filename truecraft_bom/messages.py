"""Engine errors in words a maker understands, translated. The engine gives data; the wording lives here."""

from __future__ import annotations

import frappe
from frappe import _

from truecraft_bom.engine import BomError, EngineError, NoBomError, Problem, QuantityError, UnknownItemError
from truecraft_bom.engine import errors as E

_FIELD_LABELS = {
	"qty": lambda: _("quantity"),
	"quantity": lambda: _("BOM quantity"),
	"attrition": lambda: _("attrition"),
	"setup_qty": lambda: _("setup quantity"),
	"rounding_multiple": lambda: _("rounding multiple"),
	"overage": lambda: _("overage"),
}


def problem_message(problem: Problem) -> str:
	"""One problem as a translated sentence."""
	bom, item = frappe.bold(problem.bom or ""), frappe.bold(problem.item or "")
	code = problem.code
	if code == E.CYCLE:
		return _("The BOMs form a cycle: {0}").format(" → ".join(problem.path))
	if code == E.SELF_REFERENCE:
		return _("BOM of {0}: {1} cannot be a component of itself").format(
			bom, frappe.bold(problem.path[0] if problem.path else problem.item)
		)
	if code == E.DUPLICATE_LINE:
		return _("BOM of {0}: {1} is on more than one line; merge them into one line").format(bom, item)
	if code == E.UNKNOWN_ITEM:
		if problem.item is None:
			return _("BOM for an unknown item {0}").format(bom)
		return _("BOM of {0}: item {1} (or one of its substitutes) does not exist").format(bom, item)
	if code == E.SELF_SUBSTITUTE:
		return _("BOM of {0}, line {1}: an item cannot be its own substitute").format(bom, item)
	if code in (E.NO_VARIANT_MATCH, E.AMBIGUOUS_VARIANT):
		attributes = ", ".join(f"{name}: {value}" for name, value in problem.attributes) or _("none")
		if code == E.NO_VARIANT_MATCH:
			text = _("{0}: no variant of {1} matches its attributes ({2})")
		else:
			text = _("{0}: more than one variant of {1} matches its attributes ({2})")
		return text.format(frappe.bold(problem.product or ""), item, attributes)
	field = _FIELD_LABELS.get(problem.field or "", lambda: _("value"))()
	if code == E.BAD_OVERAGE and problem.field == "attrition":
		return _("BOM of {0}, line {1}: attrition must be at least 0% and below 100%, not {2}%").format(
			bom, item, problem.value
		)
	if code == E.BAD_OVERAGE and problem.field == "setup_qty":
		return _("BOM of {0}, line {1}: setup quantity cannot be negative ({2})").format(
			bom, item, problem.value
		)
	if problem.item is None:
		return _("BOM of {0}: the {1} must be a number above zero").format(bom, field)
	return _("BOM of {0}, line {1}: the {2} must be a number above zero").format(bom, item, field)


def problems_html(problems) -> str:
	items = "".join(f"<li>{problem_message(problem)}</li>" for problem in problems)
	return f"<ul>{items}</ul>"


def throw_engine_error(error: EngineError, title: str | None = None):
	"""Raise the Frappe exception (and HTTP status) that fits an engine error, with a translated message."""
	if isinstance(error, UnknownItemError):
		frappe.throw(_("Item {0} not found").format(frappe.bold(error.code)), frappe.DoesNotExistError)
	if isinstance(error, NoBomError):
		frappe.throw(
			_("{0} has no default BOM (and inherits no BOM lines from a template)").format(
				frappe.bold(error.code)
			),
			title=title or _("No BOM"),
		)
	if isinstance(error, QuantityError):
		frappe.throw(_("Quantity must be a number above zero"), title=title or _("Invalid Quantity"))
	if isinstance(error, BomError):
		frappe.throw(problems_html(error.problems), title=title or _("BOM Problems"))
	frappe.throw(str(error), title=title)


# interim adapters until the message templates move here (engine refactor)
def error_message(error, translate=None, emphasize=None, html=False):
	if isinstance(error, BomError):
		return problems_html(error.problems)
	return str(error)


def title(error, translate=None):
	return _("BOM Problems") if isinstance(error, BomError) else _("Not Enough Materials")
