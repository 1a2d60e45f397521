"""Multi-level explosion with demand aggregated across the whole tree: what one build needs and yields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from .errors import TreeTooLargeError
from .model import Catalog
from .plan import Plan, Run, plans, requirement
from .quantity import positive, to_decimal
from .resolve import Use, resolver


@dataclass(frozen=True)
class Requirement:
	"""Leaf requirement summed by item (and consumable flag), as the explode command reports it."""

	item: str
	qty: Decimal
	consumable: bool
	non_stock: bool

	def as_dict(self) -> dict:
		return {
			"item": self.item,
			"qty": self.qty,
			"consumable": self.consumable,
			"non_stock": self.non_stock,
		}


@dataclass(frozen=True)
class Output:
	"""Scrap a build yields: ``qty`` of ``item``, summed over every level it is built at."""

	item: str
	qty: Decimal

	def as_dict(self) -> dict:
		return {"item": self.item, "qty": self.qty}


@dataclass(frozen=True)
class Explosion:
	item: str
	qty: Decimal
	requirements: tuple[Requirement, ...]
	scrap: tuple[Output, ...] = ()
	_plan: Plan | None = field(default=None, repr=False, compare=False)
	_run: Run | None = field(default=None, repr=False, compare=False)

	@cached_property
	def builds(self) -> dict[str, Decimal]:
		"""Units each sub-assembly is built for (shared ones once, for their summed demand)."""
		if self._plan is None:
			return {}
		return {
			code: to_decimal(self._run.demand[position])
			for position, code in enumerate(self._plan.nodes)
			if code not in self._plan.roots and self._run.demand[position]
		}

	def as_dict(self) -> dict:
		return {
			"item": self.item,
			"qty": self.qty,
			"requirements": [r.as_dict() for r in self.requirements],
			"scrap": [s.as_dict() for s in self.scrap],
		}


def explode_many(
	catalog: Catalog, demands: Mapping[str, object], include_optional: bool = False
) -> tuple[Plan, Run]:
	"""Explode several products together (shared materials and sub-assemblies are aggregated)."""
	quantities = {code: positive(qty) for code, qty in demands.items()}
	plan = plans(catalog).get(list(quantities), include_optional)
	return plan, plan.run(quantities)


def explode(catalog: Catalog, item: str, qty, include_optional: bool = False) -> Explosion:
	"""Leaf requirements and scrap of one build of ``qty`` units of ``item``, each summed by item."""
	quantity = positive(qty)
	plan, run = explode_many(catalog, {item: quantity}, include_optional)
	return Explosion(
		item=item,
		qty=to_decimal(quantity),
		requirements=summarise(plan, run),
		scrap=scrap_of(plan, run),
		_plan=plan,
		_run=run,
	)


def summarise(plan: Plan, run: Run) -> tuple[Requirement, ...]:
	"""Leaf totals summed by (item, consumable), sorted by item code."""
	summed: dict[tuple[str, bool], list] = {}
	for leaf, total in zip(plan.leaves, run.totals, strict=True):
		key = (leaf.item, leaf.consumable)
		entry = summed.get(key)
		if entry is None:
			summed[key] = [total, leaf.non_stock]
		else:
			entry[0] += total
	return tuple(
		Requirement(item, to_decimal(total), consumable, non_stock)
		for (item, consumable), (total, non_stock) in sorted(summed.items())
		if total
	)


def scrap_of(plan: Plan, run: Run) -> tuple[Output, ...]:
	"""Scrap of every build in the run, summed by item, sorted by item code."""
	return tuple(Output(item, to_decimal(qty)) for item, qty in sorted(plan.scrap(run).items()) if qty)


# The display tree repeats a shared sub-assembly on every path, so its size can grow exponentially with depth:
# beyond these it is refused (TreeTooLargeError); no person reads such a tree, and the flat list still works.
TREE_NODES = 10_000
TREE_DEPTH = 100


def tree(catalog: Catalog, item: str, qty, include_optional: bool = False) -> dict:
	"""The BOM as a tree for display: each line with what it needs for its parent's quantity on that path.

	Per-path quantities count a sub-assembly's setup once per path; the flat ``explode`` list, which builds a
	shared sub-assembly once for its summed demand, is what stock moves by. More than TREE_NODES lines or
	TREE_DEPTH levels: TreeTooLargeError.
	"""
	quantity = positive(qty)
	plans(catalog).get([item], include_optional)  # refuses cycles and bad lines before walking
	resolved = resolver(catalog)
	count = 0

	def node(use: Use | None, code: str, amount: Fraction, depth: int = 0) -> dict:
		nonlocal count
		count += 1
		if count > TREE_NODES or depth > TREE_DEPTH:
			raise TreeTooLargeError(item, TREE_NODES, TREE_DEPTH)
		entry = {"item": code, "qty": to_decimal(amount)}
		if use is not None:
			entry.update(
				consumable=use.consumable,
				non_stock=use.non_stock,
				optional=use.optional,
				substitutes=list(use.substitutes),
				inherited_from=use.source if use.source != use.product else None,
				reference=use.line.reference,
			)
		if use is None or use.subassembly:
			children = []
			for child in resolved.uses(code):
				if child.optional and not include_optional:
					continue
				needed = requirement(child.coef, child.setup, child.multiple, amount)
				children.append(node(child, child.item, needed, depth + 1))
			entry["children"] = children
		return entry

	return node(None, item, quantity)


def items_used(catalog: Catalog, product: str, include_optional: bool = True) -> set[str]:
	"""Every item a build of ``product`` can involve: the sub-assemblies it explodes, its leaf items and their
	substitutes (so a caller knows whose stock to read)."""
	plan = plans(catalog).get([product], include_optional)
	codes = set(plan.nodes)
	for leaf in plan.leaves:
		codes.add(leaf.item)
		codes.update(leaf.substitutes)
	return codes
