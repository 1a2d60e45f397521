"""What a sale takes from stock.

Each sold line first uses the finished stock it is allowed to, then builds the shortfall: its BOM is exploded
across every level (overage, inheritance and attribute matching included) and its stock materials are drawn,
jointly for all lines of the sale, with substitutes allocated exactly (the line's own item preferred).
Non-stock lines become costs of the build. If any material is short, nothing is planned: the error names every
short material and, per product, the most that can be sold now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from .allocation import Pools
from .capacity import capacity
from .errors import EngineError, QuantityError, ShortageError, Shortfall, UnknownItemError
from .model import Catalog
from .plan import plans
from .quantity import ZERO, NotANumber, exact, fraction, money, positive, to_decimal


@dataclass(frozen=True)
class SaleLine:
	"""A product sold: ``qty`` units, of which up to ``finished_available`` may come from finished stock.

	QuantityError unless ``qty`` is a number above zero and ``finished_available`` a number.
	"""

	product: str
	qty: Fraction
	finished_available: Fraction = ZERO

	def __post_init__(self):
		object.__setattr__(self, "qty", positive(self.qty))
		try:
			finished = exact(self.finished_available)
		except NotANumber:
			raise QuantityError(self.finished_available) from None
		object.__setattr__(self, "finished_available", max(ZERO, finished))


@dataclass(frozen=True)
class Draw:
	"""A stock item and the quantity a build consumes of it."""

	item: str
	qty: Decimal


@dataclass(frozen=True)
class NonStockCost:
	"""A non-stock line of a build (labour, services): never taken from stock, its cost goes into the product."""

	item: str
	qty: Decimal
	rate: Decimal
	amount: Decimal


@dataclass(frozen=True)
class Build:
	"""What one sold line needs: finished units from stock, units to build, and what building them consumes."""

	product: str
	sold: Decimal
	from_stock: Decimal
	qty: Decimal
	materials: tuple[Draw, ...] = ()
	non_stock: tuple[NonStockCost, ...] = ()

	@property
	def non_stock_amount(self) -> Decimal:
		return sum((cost.amount for cost in self.non_stock), Decimal(0))


@dataclass(frozen=True)
class Need:
	"""Stock a sold line's build must draw: ``qty`` from any of ``options`` (the line's own item first)."""

	sale: int  # position of the sold line
	options: tuple[str, ...]
	qty: Fraction


def plan_depletion(
	catalog: Catalog, sales: Sequence[SaleLine], deplete_consumables: bool = False
) -> tuple[Build, ...]:
	"""One Build per sold line, in order. Raises ShortageError (nothing planned) when stock does not suffice.

	Consumable lines are not taken from stock unless ``deplete_consumables``; optional lines never are.
	"""
	compiled = plans(catalog)
	items = catalog.items
	builds: list[Build] = []  # without their materials until every need is allocated
	needs: list[Need] = []
	for position, sale in enumerate(sales):
		if sale.product not in items:
			raise UnknownItemError(sale.product)
		build = max(ZERO, sale.qty - sale.finished_available)
		non_stock: dict[str, Fraction] = {}
		if build:
			plan = compiled.get([sale.product])
			run = plan.run({sale.product: build})
			for leaf, total in zip(plan.leaves, run.totals, strict=True):
				total = fraction(total)
				if leaf.non_stock:
					non_stock[leaf.item] = non_stock.get(leaf.item, ZERO) + total
				elif deplete_consumables or not leaf.consumable:
					needs.append(Need(position, leaf.options, total))
		builds.append(
			Build(
				product=sale.product,
				sold=to_decimal(sale.qty),
				from_stock=to_decimal(sale.qty - build),
				qty=to_decimal(build),
				non_stock=tuple(
					NonStockCost(
						code, to_decimal(qty), money(items[code].rate), money(qty * items[code].rate)
					)
					for code, qty in sorted(non_stock.items())
					if qty
				),
			)
		)

	pools = Pools([need.options for need in needs])
	available = {code: items[code].available for option in pools.options for code in option}
	allocation, shorts = pools.allocate([need.qty for need in needs], available)
	if shorts:
		raise ShortageError(
			[Shortfall(s.items, to_decimal(s.needed), to_decimal(s.available)) for s in shorts],
			sellable=_sellable(catalog, sales),
		)
	drawn: list[dict[str, Fraction]] = [{} for _ in sales]
	for need, taken in zip(needs, allocation, strict=True):
		for code, qty in taken.items():
			drawn[need.sale][code] = drawn[need.sale].get(code, ZERO) + qty
	return tuple(
		replace(
			build, materials=tuple(Draw(code, to_decimal(qty)) for code, qty in sorted(used.items()) if qty)
		)
		for build, used in zip(builds, drawn, strict=True)
	)


def _sellable(catalog: Catalog, sales: Sequence[SaleLine]) -> dict[str, Decimal | None]:
	"""Per product: finished stock it may use plus what can be built now (None: unlimited)."""
	result: dict[str, Decimal | None] = {}
	for sale in sales:
		if sale.product in result:
			continue
		try:
			built = capacity(catalog, sale.product).capacity
		except EngineError:
			built = 0
		result[sale.product] = None if built is None else to_decimal(sale.finished_available + built)
	return result


def materials_of(catalog: Catalog, products) -> set[str]:
	"""Stock items a build of these products may draw on (leaf items and their substitutes), for locking."""
	compiled = plans(catalog)
	return {
		code
		for product in products
		for leaf in compiled.get([product]).leaves
		for code in leaf.options
		if catalog.items[code].is_stock
	}
