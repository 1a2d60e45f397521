"""The engine's exceptions and validation problems: a ``code`` naming the message and the ``data`` that fills it.

The wording lives once in ``truecraft_bom.messages``; ``str()`` of an error is its English rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from truecraft_bom import messages

# Validation problem codes (the "Validation problems" of docs/design.md).
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

# Error codes (UnknownItemError shares "unknown_item" with the problem code).
NO_BOM = "no_bom"
QUANTITY = "quantity"
BOM_PROBLEMS = "bom_problems"
SHORTAGE = "shortage"
TREE_TOO_LARGE = "tree_too_large"


@dataclass(frozen=True)
class Problem:
	"""Something wrong with a BOM: ``bom`` holds the line, ``item`` is the line's item (None: the BOM itself).

	``data`` holds the named values of its message, e.g. ``path`` of a cycle; ``data["reason"]`` picks the
	wording when a code has several.
	"""

	code: str
	bom: str | None
	item: str | None = None
	data: Mapping[str, object] = field(default_factory=dict, hash=False)

	@property
	def message(self) -> str:
		"""The problem in English (the desk renders it translated through ``truecraft_bom.messages``)."""
		return messages.problem_message(self)

	def as_dict(self) -> dict:
		return {"code": self.code, "bom": self.bom, "item": self.item, "message": self.message}


class EngineError(Exception):
	"""Base class of everything the engine raises on purpose."""

	def __init__(self, code: str, data: Mapping[str, object] | None = None):
		super().__init__(code)
		self.code = code
		self.data: dict[str, object] = dict(data or {})

	def __str__(self) -> str:
		return messages.error_message(self)

	def __reduce__(self):
		# the constructors differ per class: pickle (background jobs, multiprocessing) restores the state
		return _restore, (type(self), self.__dict__)


def _restore(cls: type[EngineError], state: dict) -> EngineError:
	error = cls.__new__(cls)
	error.__dict__.update(state)
	return error


class ScenarioError(EngineError):
	"""A scenario (JSON catalog) is malformed: wrong structure or a value of the wrong kind."""


class QuantityError(EngineError, ValueError):
	"""A quantity asked of the engine is not a positive number."""

	def __init__(self, value):
		super().__init__(QUANTITY, {"value": value})


class UnknownItemError(EngineError):
	"""The item asked about does not exist."""

	def __init__(self, item: str):
		super().__init__(UNKNOWN_ITEM, {"item": item})

	@property
	def item(self) -> str:
		return self.data["item"]


class NoBomError(EngineError):
	"""The item has no BOM (and inherits no lines), so it cannot be exploded or built."""

	def __init__(self, item: str):
		super().__init__(NO_BOM, {"item": item})

	@property
	def item(self) -> str:
		return self.data["item"]


class TreeTooLargeError(EngineError):
	"""The display tree of ``item`` would have more than ``nodes`` lines over all its paths, or more than
	``depth`` levels (a shared sub-assembly is shown once per path, so paths can multiply)."""

	def __init__(self, item: str, nodes: int, depth: int):
		super().__init__(TREE_TOO_LARGE, {"item": item, "nodes": nodes, "depth": depth})


class BomError(EngineError):
	"""BOM data reached by an operation is invalid (a cycle, a bad quantity, no matching variant ...)."""

	def __init__(self, problems: Iterable[Problem]):
		super().__init__(BOM_PROBLEMS)
		self.problems = tuple(problems)


@dataclass(frozen=True)
class Shortfall:
	"""One material that is short: what the build needs and what is available (pooled with substitutes)."""

	items: tuple[str, ...]
	needed: Decimal
	available: Decimal


class ShortageError(EngineError):
	"""Not enough stock. ``shortfalls`` name every short material; ``sellable`` the most each product allows.

	A caller may add ``warehouse`` and ``doctype`` to ``data`` for the message.
	"""

	def __init__(self, shortfalls: Iterable[Shortfall], sellable: Mapping[str, Decimal | None] | None = None):
		super().__init__(SHORTAGE)
		self.shortfalls = tuple(shortfalls)
		self.sellable = dict(sellable or {})
