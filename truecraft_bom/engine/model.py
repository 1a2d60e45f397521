"""The engine's view of a catalog: items, BOMs and their lines. Immutable values, no behaviour beyond lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from .quantity import ONE, ZERO, exact, exact_decimal
from .rules import LINE_RULES, normalise

T = TypeVar("T")


def _set(obj, name, value):
	object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Item:
	"""A stock keeping unit as the engine needs it. Quantities are in the item's stock UOM."""

	code: str
	is_stock: bool = True
	stock: Fraction = ZERO
	reserved: Fraction = ZERO
	rate: Fraction = ZERO
	whole_number: bool = False
	variant_of: str | None = None
	has_variants: bool = False
	attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
	# stock free to use: on hand less reserved, never negative (derived)
	available: Fraction = field(init=False, compare=False)
	# the same as an exact Decimal, or None when it has no finite expansion (derived)
	available_decimal: Decimal | None = field(init=False, compare=False, repr=False)

	def __post_init__(self):
		for name in ("stock", "reserved", "rate"):
			_set(self, name, exact(getattr(self, name)))
		_set(self, "attributes", dict(self.attributes))
		_set(self, "available", max(ZERO, self.stock - self.reserved))
		_set(self, "available_decimal", exact_decimal(self.available))


@dataclass(frozen=True)
class Defect:
	"""A value of a line or BOM that could not be read; validation reports it, explosion refuses it.

	``code`` is a validation problem code, ``data`` the named values of its message (see ``Problem``).
	"""

	code: str
	data: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Line:
	"""One BOM line. ``qty`` is per batch of the BOM (None: it was not a number).

	The fields from ``setup_qty`` to ``note`` are the line rules of ``rules.LINE_RULES``; any value the rule's
	kind accepts is normalised (numbers made exact, None to the rule's default).
	"""

	item: str
	qty: Fraction | None = ONE
	setup_qty: Fraction = ZERO
	attrition: Fraction = ZERO
	rounding_multiple: Fraction | None = None
	consumable: bool = False
	optional: bool = False
	inherited: bool = False
	explode: bool = True
	substitutes: tuple[str, ...] = ()
	reference: str = ""
	note: str = ""
	defects: tuple[Defect, ...] = ()

	def __post_init__(self):
		if self.qty is not None:
			_set(self, "qty", exact(self.qty))
		for rule in LINE_RULES:
			value = getattr(self, rule.name)
			if value is not rule.default:  # most lines leave most rules at their default
				_set(self, rule.name, normalise(rule, value))
		_set(self, "substitutes", tuple(self.substitutes))
		_set(self, "defects", tuple(self.defects))


@dataclass(frozen=True)
class Scrap:
	"""A by-product of a BOM: ``qty`` of ``item`` come out of one batch (None: it was not a number)."""

	item: str
	qty: Fraction | None = ONE
	defects: tuple[Defect, ...] = ()

	def __post_init__(self):
		if self.qty is not None:
			_set(self, "qty", exact(self.qty))
		_set(self, "defects", tuple(self.defects))


@dataclass(frozen=True)
class Bom:
	"""The default BOM of a product: ``quantity`` units come out of one batch of ``lines`` (with ``scrap``)."""

	product: str
	lines: tuple[Line, ...] = ()
	quantity: Fraction | None = ONE
	defects: tuple[Defect, ...] = ()
	scrap: tuple[Scrap, ...] = ()

	def __post_init__(self):
		if self.quantity is not None:
			_set(self, "quantity", exact(self.quantity))
		_set(self, "lines", tuple(self.lines))
		_set(self, "defects", tuple(self.defects))
		_set(self, "scrap", tuple(self.scrap))


class Catalog:
	"""Items and default BOMs by code. Treat as immutable: derived indexes are computed once.

	Catalogs made by ``with_stock`` share their structure (BOMs and item flags) and so share the memoised
	BOM resolution: a cached structure can be asked many times with fresh stock.
	"""

	__slots__ = ("_shared", "_variants", "boms", "items")

	def __init__(
		self, items: Iterable[Item] | Mapping[str, Item] = (), boms: Iterable[Bom] | Mapping[str, Bom] = ()
	):
		# a mapping is keyed by code already: copied at C speed (a site's structure is thousands of items)
		self.items: dict[str, Item] = (
			dict(items) if isinstance(items, Mapping) else {item.code: item for item in items}
		)
		self.boms: dict[str, Bom] = (
			dict(boms) if isinstance(boms, Mapping) else {bom.product: bom for bom in boms}
		)
		self._variants: dict[str, tuple[str, ...]] | None = None
		self._shared: dict = {}

	def derived(self, key: str, make: Callable[[Catalog], T]) -> T:
		"""``make(self)``, made once per structure and shared with ``with_stock`` copies.

		Later layers keep what they derive from the BOMs and item flags here (resolution, compiled plans).
		"""
		value = self._shared.get(key)
		if value is None:
			value = self._shared[key] = make(self)
		return value

	def variants(self, template: str) -> tuple[str, ...]:
		"""Direct variants of a template, sorted by code."""
		if self._variants is None:
			index: dict[str, list[str]] = {}
			for item in self.items.values():
				if item.variant_of:
					index.setdefault(item.variant_of, []).append(item.code)
			self._variants = {key: tuple(sorted(codes)) for key, codes in index.items()}
		return self._variants.get(template, ())

	def changed(
		self, items: Iterable[Item] | Mapping[str, Item], boms: Iterable[Bom] | Mapping[str, Bom], changed
	) -> Catalog:
		"""A new structure that differs from this one only in the ``changed`` items (flags, attributes,
		variants, substitutes) and the BOMs of the ``changed`` products. What was derived here for the
		products the change cannot reach carries over (each layer that knows how: ``carried``), so that one
		BOM edit does not make every product resolve and compile again."""
		new = Catalog(items, boms)
		changed = frozenset(changed)
		for key, value in self._shared.items():  # in the order they were made: a layer before its users
			carried = getattr(value, "carried", None)
			if carried is not None:
				new._shared[key] = carried(new, changed)
		return new

	def replace_items(self, items: Iterable[Item]) -> Catalog:
		"""A new catalog with some items replaced (their flags may differ: nothing is shared but the BOMs)."""
		merged = dict(self.items)
		merged.update((item.code, item) for item in items)
		return Catalog(merged, self.boms)

	def with_stock(self, stock: Mapping[str, tuple], rates: Mapping[str, object] | None = None) -> Catalog:
		"""The same structure with other stock: ``stock`` maps item code -> (on hand, reserved); ``rates``
		replaces valuation rates. Items not named keep theirs. The BOM resolution is shared."""
		rates = rates or {}
		items = dict(self.items)
		for code in stock.keys() | rates.keys():
			item = items.get(code)
			if item is None:
				continue
			on_hand, reserved = stock.get(code, (item.stock, item.reserved))
			items[code] = replace(item, stock=on_hand, reserved=reserved, rate=rates.get(code, item.rate))
		copy = Catalog.__new__(Catalog)
		copy.items = items
		copy.boms = self.boms
		copy._variants = self._variants
		copy._shared = self._shared
		return copy
