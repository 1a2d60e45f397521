"""How many can be made with current stock ("you can make 53 lavender bars").

Capacity is the largest whole n such that one build of n is feasible: after explosion, every constrained leaf
(stock item, not consumable, not non-stock, not optional) fits in available stock, shared materials counted
jointly and substitutes pooled exactly. Requirements grow with n, so feasibility is monotone; the proportional
part of the explosion gives an upper bound and a few exact explosions find the answer inside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from .allocation import Pools, Short
from .errors import EngineError
from .model import Catalog
from .plan import plans
from .quantity import ZERO, fast_or_exact, fraction
from .resolve import Resolver, resolver


@dataclass(frozen=True)
class Capacity:
	"""``capacity`` None means unlimited (nothing stock-tracked is needed). ``limiting`` stops capacity + 1."""

	item: str
	capacity: int | None
	limiting: tuple[str, ...] = ()

	def as_dict(self) -> dict:
		return {"item": self.item, "capacity": self.capacity, "limiting": list(self.limiting)}


def capacity(catalog: Catalog, item: str, use_subassembly_stock: bool = False) -> Capacity:
	"""How many units of ``item`` one build can make from available stock."""
	return _Solver(catalog, item, use_subassembly_stock, keep=True).solve()


def capacities(
	catalog: Catalog, items: Iterable[str] | None = None, use_subassembly_stock: bool = False
) -> tuple[dict[str, Capacity], dict[str, EngineError]]:
	"""Capacity of many products at once (default: every buildable product), sharing the BOM resolution.

	Products whose BOMs are invalid are returned in the second mapping with their error, not raised.
	"""
	if items is None:
		resolved = resolver(catalog)
		items = [code for code in sorted(catalog.items) if _buildable(resolved, code)]
	results: dict[str, Capacity] = {}
	failures: dict[str, EngineError] = {}
	for code in items:
		try:
			# each plan is used once here: not kept, so a batch does not fill memory with plans
			results[code] = _Solver(catalog, code, use_subassembly_stock, keep=False).solve()
		except EngineError as error:
			failures[code] = error
	return results, failures


def _buildable(resolved: Resolver, code: str) -> bool:
	try:
		return resolved.has_bom(code)
	except EngineError:
		return True  # reported by solve()


class _Solver:
	def __init__(self, catalog: Catalog, item: str, use_subassembly_stock: bool, keep: bool):
		self.item = item
		self.plan = plan = plans(catalog).get([item], keep=keep)
		items = catalog.items
		leaves = plan.leaves
		self.constrained = [position for position, leaf in enumerate(leaves) if leaf.limits]
		options = [leaves[p].options for p in self.constrained]
		self.pools = Pools(options)
		codes = {code for option in options for code in option}
		self.available = {code: items[code].available for code in codes}
		# the same figures as Decimals, to compare with fast-path explosions without mixing number types
		decimals = {code: items[code].available_decimal for code in codes}
		self.available_decimal = None if None in decimals.values() else decimals
		self.subassembly_stock = None
		if use_subassembly_stock:
			self.subassembly_stock = {
				code: items[code].available
				for code in plan.nodes
				if code != item and items[code].is_stock and items[code].available
			}

	def shortages(self, n: int) -> list[Short]:
		"""What is short for one build of n (empty: feasible)."""
		limits = self.subassembly_stock
		run = self.plan.run({self.item: n}, limits)
		if limits:
			# Sub-assembly stock is used before building more, except what lines that can only take the
			# sub-assembly from stock (explode off) need: they keep it, and the rest is built.
			for _ in range(len(limits) + 1):
				kept: dict[str, Fraction] = {}
				for position in self.constrained:
					code = self.plan.leaves[position].item
					if code in limits:
						kept[code] = kept.get(code, ZERO) + fraction(run.totals[position])
				narrowed = {
					code: max(ZERO, stock - kept.get(code, ZERO))
					for code, stock in self.subassembly_stock.items()
				}
				if narrowed == limits:
					break
				limits = narrowed
				run = self.plan.run({self.item: n}, limits)
		fast = None
		if run.decimal and self.available_decimal is not None:

			def fast():
				return self._pool_shortages(run.totals, run.drawn, self.available_decimal)

		return fast_or_exact(
			fast,
			lambda: self._pool_shortages(
				[fraction(total) for total in run.totals],
				{k: fraction(v) for k, v in run.drawn.items()},
				self.available,
			),
		)

	def _pool_shortages(self, totals, drawn, available) -> list[Short]:
		if drawn:
			available = dict(available)
			for position, taken in drawn.items():
				code = self.plan.nodes[position]
				if code in available:
					available[code] = available[code] - taken
		return self.pools.shortages([totals[p] for p in self.constrained], available)

	def solve(self) -> Capacity:
		if not self.constrained:
			return Capacity(self.item, None, ())
		known: dict[int, list[Short]] = {}

		def shortages(n: int) -> list[Short]:
			if n not in known:
				known[n] = self.shortages(n)
			return known[n]

		bound = self._proportional_bound()
		low, high = 0, bound + 1  # feasible, infeasible
		if self.subassembly_stock:
			# stock of sub-assemblies can lift capacity above the proportional bound: gallop upwards
			probe = bound
			while not shortages(probe):
				low, probe = probe, max(1, probe * 2)
			high = probe
		guess = high - 1
		while high - low > 1:
			guess = min(max(guess, low + 1), high - 1)
			short = shortages(guess)
			if not short:
				low = guess
				guess = high - 1
			else:
				high = guess
				# requirements are close to proportional: scale by the tightest shortage
				ratio = min(s.available / s.needed for s in short)
				guess = math.floor(guess * ratio)
				if guess <= low:
					guess = (low + high) // 2
		limiting = tuple(sorted({code for s in shortages(high) for code in s.items}))
		return Capacity(self.item, low, limiting)

	def _proportional_bound(self) -> int:
		"""Largest n allowed by the proportional part of the requirements: an upper bound on capacity."""
		run = self.plan.run({self.item: 1}, linear=True)
		fast = None
		if run.decimal and self.available_decimal is not None:

			def fast():
				return self._bound(run.totals, self.available_decimal)

		return fast_or_exact(
			fast, lambda: self._bound([fraction(total) for total in run.totals], self.available)
		)

	def _bound(self, per_need, available) -> int:
		pools = self.pools
		constrained = self.constrained
		bounds = []
		for code, positions in pools.single.items():
			if len(positions) == 1:
				coef = per_need[constrained[positions[0]]]
			else:
				coef = sum(per_need[constrained[p]] for p in positions)
			bounds.append(available[code] // coef)
		for group in pools.groups:
			codes = {code for p in group for code in pools.options[p]}
			coef = sum(per_need[constrained[p]] for p in group)
			bounds.append(sum(available[code] for code in codes) // coef)
		return int(min(bounds))
