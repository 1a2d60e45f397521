"""The engine's view of a catalog: items, BOMs and their lines. Immutable values, no behaviour beyond lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from .quantity import ONE, ZERO, exact, exact_decimal


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
	"""A field of a line or BOM that could not be read; validation reports it, explosion refuses it."""

	code: str
	message: str
	field: str | None = None


@dataclass(frozen=True)
class Line:
	"""One BOM line. ``qty`` is per batch of the BOM; ``qty`` None means it was not a number."""

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
		_set(self, "setup_qty", exact(self.setup_qty))
		_set(self, "attrition", exact(self.attrition))
		if self.rounding_multiple is not None:
			_set(self, "rounding_multiple", exact(self.rounding_multiple))
		_set(self, "substitutes", tuple(self.substitutes))
		_set(self, "defects", tuple(self.defects))


@dataclass(frozen=True)
class Bom:
	"""The default BOM of a product: ``quantity`` units come out of one batch of ``lines``."""

	product: str
	lines: tuple[Line, ...] = ()
	quantity: Fraction | None = ONE
	defects: tuple[Defect, ...] = ()

	def __post_init__(self):
		if self.quantity is not None:
			_set(self, "quantity", exact(self.quantity))
		_set(self, "lines", tuple(self.lines))
		_set(self, "defects", tuple(self.defects))


class Catalog:
	"""Items and default BOMs by code. Treat as immutable: derived indexes are computed once.

	Catalogs made by ``with_stock`` share their structure (BOMs and item flags) and so share the memoised
	BOM resolution: a cached structure can be asked many times with fresh stock.
	"""

	__slots__ = ("_shared", "_variants", "boms", "items")

	def __init__(
		self, items: Iterable[Item] | Mapping[str, Item] = (), boms: Iterable[Bom] | Mapping[str, Bom] = ()
	):
		if isinstance(items, Mapping):
			items = items.values()
		if isinstance(boms, Mapping):
			boms = boms.values()
		self.items: dict[str, Item] = {item.code: item for item in items}
		self.boms: dict[str, Bom] = {bom.product: bom for bom in boms}
		self._variants: dict[str, tuple[str, ...]] | None = None
		self._shared: dict = {}

	def resolver(self):
		"""The BOM resolution of this catalog's structure, memoised and shared with ``with_stock`` copies."""
		resolver = self._shared.get("resolver")
		if resolver is None:
			from .resolve import Resolver

			resolver = self._shared["resolver"] = Resolver(self)
		return resolver

	def variants(self, template: str) -> tuple[str, ...]:
		"""Direct variants of a template, sorted by code."""
		if self._variants is None:
			index: dict[str, list[str]] = {}
			for item in self.items.values():
				if item.variant_of:
					index.setdefault(item.variant_of, []).append(item.code)
			self._variants = {key: tuple(sorted(codes)) for key, codes in index.items()}
		return self._variants.get(template, ())

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
