"""The BOM line rules, declared once.

Each rule is an attribute of the engine's ``Line``, a key of a scenario line and a custom field on ERPNext's
BOM Item. The scenario parser, the bounds checks of validation and the Frappe side's custom fields, queries
and desk grid are all derived from ``LINE_RULES``. The line's ``item``, ``qty``, ``explode`` and
``substitutes`` come from standard ERPNext fields and are not rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import BAD_OVERAGE, BAD_QUANTITY
from .quantity import HUNDRED, ZERO, exact


def _(text: str) -> str:
	"""Marks a label for translation extraction; returns it unchanged."""
	return text


KINDS = ("quantity", "percent", "flag", "text")

# Why a value breaks its rule; messages words each (``line.<reason>`` for a line's value).
NOT_A_NUMBER = "not_a_number"
NOT_POSITIVE = "not_positive"
BELOW_MINIMUM = "below_minimum"
OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class LineRule:
	"""One rule of a BOM line: its names, its label and help text, its default and its bounds."""

	name: str  # engine Line attribute and scenario key
	field: str  # the BOM Item custom field
	kind: str  # "quantity" | "percent" | "flag" | "text"
	label: str
	description: str
	default: object  # ZERO, False, "" or None (not set)
	minimum: Fraction | None = None  # inclusive lower bound
	below: Fraction | None = None  # exclusive upper bound
	positive: bool = False  # must be above zero
	grid_columns: int = 0  # width in the desk's BOM items grid (0: not a grid column)
	problem: str = ""  # validation problem code for a value out of bounds or unreadable

	@property
	def numeric(self) -> bool:
		return self.kind in ("quantity", "percent")

	@property
	def unit(self) -> str:
		"""Shown after the rule's numbers in messages."""
		return "%" if self.kind == "percent" else ""

	def violation(self, value) -> str | None:
		"""The bound an exact ``value`` breaks (NOT_POSITIVE, BELOW_MINIMUM, OUT_OF_RANGE), or None."""
		if value is None or not self.numeric:
			return None
		if self.positive and value <= 0:
			return NOT_POSITIVE
		low = self.minimum is not None and value < self.minimum
		if self.below is not None and (low or value >= self.below):
			return OUT_OF_RANGE
		return BELOW_MINIMUM if low else None

	def bounds(self) -> dict[str, Fraction]:
		"""The bounds a message about this rule names."""
		named = {"minimum": self.minimum, "below": self.below}
		return {key: value for key, value in named.items() if value is not None}


LINE_RULES: tuple[LineRule, ...] = (
	LineRule(
		name="setup_qty",
		field="tc_setup_qty",
		kind="quantity",
		label=_("Setup Qty"),
		description=_(
			"Fixed loss per build in stock UOM (a purge, a test piece), added once per build, never per unit."
		),
		default=ZERO,
		minimum=ZERO,
		grid_columns=1,
		problem=BAD_OVERAGE,
	),
	LineRule(
		name="attrition",
		field="tc_attrition",
		kind="percent",
		label=_("Attrition %"),
		description=_("Percentage lost in the build, from 0 up to (not including) 100."),
		default=ZERO,
		minimum=ZERO,
		below=HUNDRED,
		grid_columns=1,
		problem=BAD_OVERAGE,
	),
	LineRule(
		name="rounding_multiple",
		field="tc_rounding_multiple",
		kind="quantity",
		label=_("Round Up To Multiple Of"),
		description=_(
			"Round the quantity needed up to a multiple of this (a pack size). Empty: no rounding."
		),
		default=None,
		minimum=ZERO,
		positive=True,
		problem=BAD_QUANTITY,
	),
	LineRule(
		name="consumable",
		field="tc_consumable",
		kind="flag",
		label=_("Consumable"),
		description=_("Tracked in the BOM and its cost, but not taken from stock when the product is sold."),
		default=False,
		grid_columns=1,
	),
	LineRule(
		name="optional",
		field="tc_optional",
		kind="flag",
		label=_("Optional"),
		description=_("Left out of builds, costs and capacity unless asked for."),
		default=False,
		grid_columns=1,
	),
	LineRule(
		name="inherited",
		field="tc_inherited",
		kind="flag",
		label=_("Inherited by Variants"),
		description=_(
			"On a template's BOM: every variant uses this line too, live. A template component resolves to "
			"the variant with matching attributes."
		),
		default=False,
		grid_columns=1,
	),
	LineRule(
		name="reference",
		field="tc_reference",
		kind="text",
		label=_("Reference"),
		description=_("A designator or note for the line, e.g. R1, C3."),
		default="",
	),
	LineRule(
		name="note",
		field="tc_note",
		kind="text",
		label=_("Note"),
		description=_("A remark for whoever builds the product; quantities ignore it."),
		default="",
	),
)

RULES: dict[str, LineRule] = {rule.name: rule for rule in LINE_RULES}

# The rules that make a build consume more than the product's quantities alone: what they add is a build's
# overage (engine.order: the same plan with these rules at their defaults gives what is needed without loss).
# Rounding up to a pack size is not a loss: it applies with and without them.
LOSS_RULES: tuple[str, ...] = ("setup_qty", "attrition")

# Labels of the standard ERPNext fields that validation also names.
QTY_LABEL = _("Qty")
BATCH_QUANTITY_LABEL = _("Batch Quantity")
SCRAP_QTY_LABEL = _("Scrap Qty")


def normalise(rule: LineRule, value):
	"""A rule's value as the engine keeps it: an exact number (None -> default), a bool or text."""
	if rule.numeric:
		return rule.default if value is None else exact(value)
	if rule.kind == "flag":
		return bool(value)
	return "" if value is None else str(value)
