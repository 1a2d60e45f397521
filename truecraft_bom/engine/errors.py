"""The engine's own exceptions. They carry data so the caller can phrase the message for its user."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Validation problem codes (DESIGN.md, "Validation problems").
CYCLE = "cycle"
SELF_REFERENCE = "self_reference"
DUPLICATE_LINE = "duplicate_line"
BAD_QUANTITY = "bad_quantity"
BAD_OVERAGE = "bad_overage"
UNKNOWN_ITEM = "unknown_item"
SELF_SUBSTITUTE = "self_substitute"
NO_VARIANT_MATCH = "no_variant_match"
AMBIGUOUS_VARIANT = "ambiguous_variant"

PROBLEM_CODES = (
	CYCLE,
	SELF_REFERENCE,
	DUPLICATE_LINE,
	BAD_QUANTITY,
	BAD_OVERAGE,
	UNKNOWN_ITEM,
	SELF_SUBSTITUTE,
	NO_VARIANT_MATCH,
	AMBIGUOUS_VARIANT,
)


@dataclass(frozen=True)
class Problem:
	"""Something wrong with a BOM. ``bom`` is the product whose BOM holds the line; ``item`` the line's item.

	``path`` is the cycle for ``cycle``; ``product``/``attributes`` name the variant for matching problems;
	``field``/``value`` the offending field for bad_quantity and bad_overage (so callers can phrase it).
	"""

	code: str
	bom: str | None
	item: str | None
	message: str
	path: tuple[str, ...] = ()
	product: str | None = None
	attributes: tuple[tuple[str, str], ...] = ()
	field: str | None = None
	value: str | None = None

	def as_dict(self) -> dict:
		return {"code": self.code, "bom": self.bom, "item": self.item, "message": self.message}


class EngineError(Exception):
	"""Base class of everything the engine raises on purpose."""


class ScenarioError(EngineError):
	"""A scenario (JSON catalog) is malformed: wrong structure or a value of the wrong kind."""


class QuantityError(EngineError, ValueError):
	"""A quantity asked of the engine is not a positive number."""


class UnknownItemError(EngineError):
	def __init__(self, code: str):
		super().__init__(f"unknown item {code!r}")
		self.code = code


class NoBomError(EngineError):
	"""The item has no BOM (and inherits no lines), so it cannot be exploded or built."""

	def __init__(self, code: str):
		super().__init__(f"item {code!r} has no BOM")
		self.code = code


class BomError(EngineError):
	"""BOM data reached by an operation is invalid (a cycle, a bad quantity, no matching variant ...)."""

	def __init__(self, problems):
		self.problems = tuple(problems)
		super().__init__("; ".join(problem.message for problem in self.problems))


@dataclass(frozen=True)
class Shortfall:
	"""One material that is short: what the build needs and what is available (pooled with substitutes)."""

	items: tuple[str, ...]
	needed: Decimal
	available: Decimal


class ShortageError(EngineError):
	"""Not enough stock. ``shortfalls`` name every short material; ``sellable`` the most each product allows."""

	def __init__(self, shortfalls, sellable=None):
		self.shortfalls = tuple(shortfalls)
		self.sellable = dict(sellable or {})
		super().__init__(
			"; ".join(
				f"{' or '.join(s.items)}: needed {s.needed}, available {s.available}" for s in self.shortfalls
			)
		)
