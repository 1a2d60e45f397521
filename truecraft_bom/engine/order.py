"""What a Work Order needs: its required items for one build of the order's quantity, what setup and attrition
add to them (overage), its non-stock costs and the scrap it yields.

A Work Order is one build: setup quantities count once per order. With ``multi_level`` its sub-assemblies are
exploded into their materials (ERPNext's *Use Multi-Level BOM*); without it the first level is the list, with
sub-assemblies as items. Consumable lines are not transferred to production and non-stock lines are costs, not
items; optional lines count only when the order includes them. Overage is the same build with the loss rules
(``rules.LOSS_RULES``) at their defaults, subtracted from the build with them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from .depletion import NonStockCost
from .explosion import Output, explode_many
from .model import Catalog
from .plan import plans, requirement
from .quantity import ZERO, exact, money, positive, to_decimal
from .rules import LOSS_RULES, RULES


@dataclass(frozen=True)
class OrderItem:
	"""A material of the order: ``qty`` in stock UOM, of which ``overage`` is what setup and attrition add."""

	item: str
	qty: Decimal
	overage: Decimal

	def as_dict(self) -> dict:
		return {"item": self.item, "qty": self.qty, "overage": self.overage}


@dataclass(frozen=True)
class Order:
	"""One build of ``qty`` units of ``product`` as a Work Order runs it."""

	product: str
	qty: Decimal
	items: tuple[OrderItem, ...]  # stock materials to transfer and consume, by item code
	consumables: tuple[OrderItem, ...]  # used on the shop floor, not transferred
	non_stock: tuple[NonStockCost, ...]  # costs of the build, never stock
	scrap: tuple[Output, ...]  # by-products of every level built

	@property
	def non_stock_amount(self) -> Decimal:
		return sum((cost.amount for cost in self.non_stock), Decimal(0))

	def as_dict(self) -> dict:
		return {
			"item": self.product,
			"qty": self.qty,
			"items": [row.as_dict() for row in self.items],
			"consumables": [row.as_dict() for row in self.consumables],
			"non_stock": [
				{"item": c.item, "qty": c.qty, "rate": c.rate, "amount": c.amount} for c in self.non_stock
			],
			"scrap": [s.as_dict() for s in self.scrap],
		}


STOCK, CONSUMABLE, NON_STOCK = "stock", "consumable", "non_stock"


def required_items(
	catalog: Catalog, product: str, qty, include_optional: bool = False, multi_level: bool = True
) -> Order:
	"""The order's needs for one build of ``qty`` units of ``product``. Raises the engine's errors for an
	unknown item, an item without a BOM or a BOM it cannot use."""
	quantity = positive(qty)
	if multi_level:
		needed, scrap = _exploded(catalog, product, quantity, include_optional)
		lossless, _scrap = _exploded(without_losses(catalog), product, quantity, include_optional)
	else:
		needed, scrap = _first_level(catalog, product, quantity, include_optional)
		lossless, _scrap = _first_level(without_losses(catalog), product, quantity, include_optional)

	def rows(category: str) -> tuple[OrderItem, ...]:
		found = needed[category]
		return tuple(
			OrderItem(
				code, to_decimal(total), to_decimal(max(ZERO, total - lossless[category].get(code, ZERO)))
			)
			for code, total in sorted(found.items())
			if total
		)

	rates = catalog.items
	return Order(
		product=product,
		qty=to_decimal(quantity),
		items=rows(STOCK),
		consumables=rows(CONSUMABLE),
		non_stock=tuple(
			NonStockCost(code, to_decimal(total), money(rates[code].rate), money(total * rates[code].rate))
			for code, total in sorted(needed[NON_STOCK].items())
			if total
		),
		scrap=tuple(Output(code, to_decimal(total)) for code, total in sorted(scrap.items()) if total),
	)


def without_losses(catalog: Catalog) -> Catalog:
	"""The catalog's structure with every loss rule at its default (shared with its ``with_stock`` copies)."""
	return catalog.derived("without_losses", _without_losses)


def _without_losses(catalog: Catalog) -> Catalog:
	defaults = {name: RULES[name].default for name in LOSS_RULES}
	boms = {
		product: replace(bom, lines=tuple(replace(line, **defaults) for line in bom.lines))
		for product, bom in catalog.boms.items()
	}
	return Catalog(catalog.items, boms)


def _category(non_stock: bool, consumable: bool) -> str:
	return NON_STOCK if non_stock else CONSUMABLE if consumable else STOCK


def _exploded(catalog: Catalog, product: str, quantity: Fraction, include_optional: bool):
	"""Leaf totals by category and item, and the scrap of every level built."""
	plan, run = explode_many(catalog, {product: quantity}, include_optional)
	totals: dict[str, dict[str, Fraction]] = {STOCK: {}, CONSUMABLE: {}, NON_STOCK: {}}
	for leaf, total in zip(plan.leaves, run.totals, strict=True):
		found = totals[_category(leaf.non_stock, leaf.consumable)]
		found[leaf.item] = found.get(leaf.item, ZERO) + exact(total)
	return totals, plan.scrap(run)


def _first_level(catalog: Catalog, product: str, quantity: Fraction, include_optional: bool):
	"""The product's own lines for the build (sub-assemblies as items), and its own scrap."""
	compiled = plans(catalog)
	compiled.get([product], include_optional)  # refuses an unknown item, no BOM, a bad BOM or a cycle
	node = compiled.node(product, include_optional)
	totals: dict[str, dict[str, Fraction]] = {STOCK: {}, CONSUMABLE: {}, NON_STOCK: {}}
	for use in node.uses:
		found = totals[_category(use.non_stock, use.consumable)]
		needed = exact(requirement(use.coef, use.setup, use.multiple, quantity))
		found[use.item] = found.get(use.item, ZERO) + needed
	return totals, {item: per_unit * quantity for item, per_unit in node.scrap}
