"""Cost roll-up: what one build costs, from its leaf requirements at their rates (overage included), less
what its scrap is worth."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .explosion import explode_many
from .model import Catalog
from .quantity import ONE, ZERO, fraction, money, positive, to_decimal


@dataclass(frozen=True)
class Cost:
	"""Cost of one build of ``qty``: stock materials, consumables and non-stock lines reported apart, and the
	value of the scrap it yields; ``total`` is the three less the scrap."""

	item: str
	qty: Decimal
	stock: Decimal
	consumable: Decimal
	non_stock: Decimal
	scrap: Decimal
	total: Decimal
	per_unit: Decimal

	def as_dict(self) -> dict:
		return {
			"item": self.item,
			"qty": self.qty,
			"stock": self.stock,
			"consumable": self.consumable,
			"non_stock": self.non_stock,
			"scrap": self.scrap,
			"total": self.total,
			"per_unit": self.per_unit,
		}


def cost(catalog: Catalog, item: str, qty=ONE) -> Cost:
	"""Roll the cost of ``qty`` units of ``item`` up through every level. Optional lines are left out.

	A non-stock line counts as non-stock even when also marked consumable: it never touches stock.
	"""
	quantity = positive(qty)
	plan, run = explode_many(catalog, {item: quantity})
	items = catalog.items
	totals = {"stock": ZERO, "consumable": ZERO, "non_stock": ZERO}
	for leaf, needed in zip(plan.leaves, run.totals, strict=True):
		category = "non_stock" if leaf.non_stock else "consumable" if leaf.consumable else "stock"
		totals[category] += fraction(needed) * items[leaf.item].rate
	scrap = sum((qty * items[code].rate for code, qty in plan.scrap(run).items()), ZERO)
	total = sum(totals.values(), ZERO) - scrap
	return Cost(
		item=item,
		qty=to_decimal(quantity),
		stock=money(totals["stock"]),
		consumable=money(totals["consumable"]),
		non_stock=money(totals["non_stock"]),
		scrap=money(scrap),
		total=money(total),
		per_unit=money(total / quantity),
	)
