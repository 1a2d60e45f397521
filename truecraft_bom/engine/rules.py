"""The line rules TrueCraft adds to a BOM line, declared once (interim: the engine refactor derives more)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import BAD_OVERAGE, BAD_QUANTITY
from .quantity import ZERO


def _(text: str) -> str:
	return text


@dataclass(frozen=True)
class LineRule:
	name: str
	field: str
	kind: str
	label: str
	description: str
	default: object
	minimum: Fraction | None = None
	below: Fraction | None = None
	positive: bool = False
	grid_columns: int = 0
	problem: str = ""


LINE_RULES = (
	LineRule(
		"setup_qty",
		"tc_setup_qty",
		"quantity",
		_("Setup Qty"),
		_("Fixed loss per build in stock UOM (a purge, a test piece), added once per build, never per unit."),
		ZERO,
		minimum=ZERO,
		grid_columns=1,
		problem=BAD_OVERAGE,
	),
	LineRule(
		"attrition",
		"tc_attrition",
		"percent",
		_("Attrition %"),
		_("Percentage lost in the build, from 0 up to (not including) 100."),
		ZERO,
		minimum=ZERO,
		below=Fraction(100),
		grid_columns=1,
		problem=BAD_OVERAGE,
	),
	LineRule(
		"rounding_multiple",
		"tc_rounding_multiple",
		"quantity",
		_("Round Up To Multiple Of"),
		_("Round the quantity needed up to a multiple of this (a pack size). Empty: no rounding."),
		None,
		minimum=ZERO,
		positive=True,
		problem=BAD_QUANTITY,
	),
	LineRule(
		"consumable",
		"tc_consumable",
		"flag",
		_("Consumable"),
		_("Tracked in the BOM and its cost, but not taken from stock when the product is sold."),
		False,
		grid_columns=1,
	),
	LineRule(
		"optional",
		"tc_optional",
		"flag",
		_("Optional"),
		_("Left out of builds, costs and capacity unless asked for."),
		False,
		grid_columns=1,
	),
	LineRule(
		"inherited",
		"tc_inherited",
		"flag",
		_("Inherited by Variants"),
		_(
			"On a template's BOM: every variant uses this line too, live. A template component resolves to "
			"the variant with matching attributes."
		),
		False,
		grid_columns=1,
	),
	LineRule(
		"reference", "tc_reference", "text", _("Reference"), _("A designator for the line, e.g. R1, C3."), ""
	),
	LineRule("note", "tc_note", "text", _("Note"), _("A note for whoever builds it."), ""),
)
RULES = {rule.name: rule for rule in LINE_RULES}
