"""How many can be made with current stock ("you can make 53 lavender bars").

Capacity is the largest whole n such that one build of n is feasible: after explosion, every constrained leaf
(stock item, not consumable, not non-stock, not optional) fits in available stock, shared materials counted
jointly and substitutes pooled exactly. Requirements grow with n, so feasibility is monotone; the proportional
part of the explosion gives an upper bound and a few exact explosions find the answer inside it.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, compress, repeat
from operator import add, floordiv, gt, mul, not_, sub

from .allocation import Pools, Short, flow_shortages
from .errors import EngineError
from .model import Catalog
from .plan import MAX_SCALE, Plan, Plans, places, plans, scaled
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
	return _Solver(catalog, item, use_subassembly_stock, keep=True, stock=_Stock(catalog)).solve()


def capacities(
	catalog: Catalog, items: Iterable[str] | None = None, use_subassembly_stock: bool = False
) -> tuple[dict[str, Capacity], dict[str, EngineError]]:
	"""Capacity of many products at once (default: every buildable product), sharing the BOM resolution.

	Products whose BOMs are invalid are returned in the second mapping with their error, not raised.
	"""
	with _no_cycle_collection():
		return _capacities(catalog, items, use_subassembly_stock)


@contextmanager
def _no_cycle_collection():
	"""Pause Python's cycle collector for a batch: it builds many short-lived objects and no cycles, and in a
	process with a large heap (a Frappe worker, a loaded catalog) the collections it would trigger cost about
	a tenth of the batch. Reference counting still frees everything; the collector's state is restored."""
	enabled = gc.isenabled()
	gc.disable()
	try:
		yield
	finally:
		if enabled:
			gc.enable()


def _capacities(catalog, items, use_subassembly_stock):
	if items is None:
		resolved = resolver(catalog)
		items = [code for code in sorted(catalog.items) if _buildable(resolved, code)]
	results: dict[str, Capacity] = {}
	failures: dict[str, EngineError] = {}
	stock = _Stock(catalog)
	for code in items:
		try:
			# each plan is used once here: not kept, so a batch does not fill memory with plans
			results[code] = _Solver(catalog, code, use_subassembly_stock, keep=False, stock=stock).solve()
		except EngineError as error:
			failures[code] = error
	return results, failures


def _buildable(resolved: Resolver, code: str) -> bool:
	try:
		return resolved.has_bom(code)
	except EngineError:
		return True  # reported by solve()


class _Stock:
	"""Available stock of a catalog in scaled integers, made once per item and scale for all the products of a
	call (each table fills itself as items are asked for)."""

	def __init__(self, catalog: Catalog):
		items = catalog.items
		self.items = items
		self._places = _Table(lambda code: _digits(items[code].available))
		self._scaled: dict[int, _Table] = {}

	def places(self, codes: set[str]) -> int:
		"""The most digits after the point among the items' available stock (above MAX_SCALE: too many, or
		one does not terminate)."""
		return max(map(self._places.__getitem__, codes), default=0)

	def scaled(self, scale: int) -> dict[str, int]:
		"""item -> available stock times ``10 ** scale``."""
		table = self._scaled.get(scale)
		if table is None:
			items = self.items
			table = self._scaled[scale] = _Table(lambda code: scaled(items[code].available, scale))
		return table


class _Table(dict):
	"""A dict that makes a missing value with ``make(key)`` and keeps it."""

	def __init__(self, make):
		super().__init__()
		self.make = make

	def __missing__(self, key):
		value = self[key] = self.make(key)
		return value

	def get(self, key, default=None):
		return self[key]  # made when missing, as by []


def _digits(value) -> int:
	digits = places(value)
	return MAX_SCALE + 1 if digits is None else digits


class _Scaled:
	"""A product's capacity search in exact scaled integers (``Plan.run_scaled``), when every quantity involved,
	available stock included, is a whole number at one power of ten and no sub-assembly stock is used.

	Most needs draw on an item no other need draws on (or on items of their own, pooled): they are compared
	at C speed; needs linked by substitutes are solved as ``Pools`` does. The answers are ``Pools``'.
	"""

	def __init__(self, plan: Plan, compiled: Plans, constrained: list[int], stock: _Stock):
		self.plan = plan
		flexible_of, options_of, item_of = compiled.leaf_flexible, compiled.leaf_options, compiled.leaf_item
		self.options_of = options_of
		flexible = list(compress(constrained, map(flexible_of.__getitem__, constrained)))
		alone = constrained
		pooled_rigid: list[int] = []
		single: list[int] = []
		linked: set[str] = set()
		if flexible:
			rigid = list(compress(constrained, map(not_, map(flexible_of.__getitem__, constrained))))
			linked = set().union(*map(options_of.__getitem__, flexible))
			in_pool = list(map(linked.__contains__, map(item_of.__getitem__, rigid)))
			alone = list(compress(rigid, map(not_, in_pool)))
			pooled_rigid = list(compress(rigid, in_pool))
			# a flexible need on items no other need draws on is alone on them (most are): no pool to solve
			uses = Counter(chain.from_iterable(map(options_of.__getitem__, flexible)))
			uses.update(map(item_of.__getitem__, pooled_rigid))
			solo = [max(map(uses.__getitem__, options_of[key])) == 1 for key in flexible]
			single = list(compress(flexible, solo))
		items = list(map(item_of.__getitem__, alone))
		codes = set(items)
		self.ok = len(codes) == len(items)  # else several needs on one item: left to the general path
		codes |= linked
		self.scale = plan.scale()
		digits = stock.places(codes)
		if not self.ok or self.scale is None or digits > MAX_SCALE:
			self.ok = False
			return
		self.scale = max(self.scale, digits)
		self.available = available = stock.scaled(self.scale)
		self.keys = alone  # leaf numbers of the needs compared alone
		self.limits = list(map(available.__getitem__, items))  # what each may take
		for key in single:  # it may take all of its items
			options = options_of[key]
			self.keys.append(key)
			self.limits.append(sum(map(available.__getitem__, options)))
		# the needs linked by substitutes: rigid ones first (the greedy proof's order); made into pools only
		# when one greedy pass over them all cannot prove they fit (``bracket``)
		self.pooled = pooled_rigid + list(compress(flexible, map(not_, solo))) if flexible else []
		# (keys, options, order, what all the pool's items hold) per pool of several needs
		self.groups: list[tuple[list[int], list[tuple[str, ...]], list[int], int]] = []

	def _pools(self) -> None:
		"""Split the linked needs into their pools (``groups``)."""
		pooled, available = self.pooled, self.available
		pools = Pools(list(map(self.options_of.__getitem__, pooled)), distinct=True)
		for group in pools.groups:
			keys = [pooled[p] for p in group]
			options = [pools.options[p] for p in group]
			if len(group) == 1:  # a need alone on its items: it may take all of them
				self.keys.append(keys[0])
				self.limits.append(sum(available[code] for code in options[0]))
			else:
				if len(group) == 2:  # most pools: a flexible line and a line on one of its items
					order = [0, 1] if len(options[0]) <= len(options[1]) else [1, 0]
				else:
					order = sorted(range(len(group)), key=lambda k: len(options[k]))
				pooled_stock = sum(map(available.__getitem__, set().union(*options)))
				self.groups.append((keys, options, order, pooled_stock))

	def shortages(self, item: str, n: int) -> list[Short]:
		"""What is short for one build of n (empty: feasible), as ``Pools.shortages`` finds it."""
		if self.narrowed is None:
			leaves = self.live[0] + [key for group in self.groups for key in group[0]]
			self.narrowed = self.plan.narrowed(self.scale, leaves)
		needs = self.plan.run_scaled({item: n}, self.scale, self.narrowed)
		keys, limits, items = self.live
		wanted = list(map(needs.__getitem__, keys))
		shorts = []
		if any(map(gt, wanted, limits)):
			for k in compress(range(len(wanted)), map(gt, wanted, limits)):
				shorts.append(Short(items[k], fraction(wanted[k]), fraction(limits[k])))
		available = self.available
		for keys, options, order, _stock in self.groups:
			qtys = list(map(needs.__getitem__, keys))
			if not _greedy(order, options, qtys, available):
				shorts.extend(flow_shortages(options, qtys, available))
		return shorts

	def bracket(self, item: str) -> tuple[int, int]:
		"""(low, high): low units proven feasible and high units proven infeasible without an exact explosion,
		from the proportional part of the requirements and the most that setups and rounding add to it
		(``Plan.estimate_scaled``). Capacity lies in [low, high)."""
		per_unit, extra = self.plan.estimate_scaled(item, self.scale)
		available = self.available
		rates = list(map(per_unit.__getitem__, self.keys))
		bound = min(map(floordiv, self.limits, rates), default=None)
		if self.pooled and (bound is None or not self._linked_fit(bound + 1, per_unit, extra)):
			# some pool may be short at the bound the other needs give: its own pool, its own bound
			count = len(rates)
			self._pools()
			rates.extend(map(per_unit.__getitem__, self.keys[count:]))
			bounds = [bound, *map(floordiv, self.limits[count:], rates[count:])]
			self.group_rates = [
				(list(map(per_unit.__getitem__, group[0])), list(map(extra.__getitem__, group[0])))
				for group in self.groups
			]
			bounds.extend(
				group[3] // sum(group_rates[0])
				for group, group_rates in zip(self.groups, self.group_rates, strict=True)
			)
			bound = min(found for found in bounds if found is not None)
		else:
			# (every linked need fits at its most even at bound + 1: no pool is short below it, and its own
			# bound is no lower)
			self.group_rates = []
		extras = list(map(extra.__getitem__, self.keys))
		high = int(bound) + 1
		if self.groups:
			# a pool whose most possible needs fit even at high is never short below it: not checked again
			pools = [
				(group, group_rates)
				for group, group_rates in zip(self.groups, self.group_rates, strict=True)
				if not _fits(group, group_rates, high, available)
			]
			self.groups = [group for group, _rates in pools]
			self.group_rates = [group_rates for _group, group_rates in pools]
		# exact explosions, from now on at most ``high`` units, need only the needs that may then be short:
		# those whose largest possible need at ``high`` does not fit, and the pools left
		most = map(add, map(mul, repeat(high, len(rates)), rates), extras)
		live = list(map(gt, most, self.limits))
		keys = list(compress(self.keys, live))
		limits = list(compress(self.limits, live))
		# what a shortage of each names: its item, or the items it may draw on
		items = [tuple(sorted(options)) for options in map(self.options_of.__getitem__, keys)]
		self.live = keys, limits, items
		self.live_rates = live_rates = list(map(per_unit.__getitem__, keys))
		self.live_extras = live_extras = list(map(extra.__getitem__, keys))
		# the largest n whose most possible needs fit, each on its own item (the others fit even at ``high``)
		fits = min(map(floordiv, map(sub, limits, live_extras), live_rates), default=high - 1)
		low = max(0, min(fits, high - 1))
		if low and not self._groups_fit(low):
			low = 0
		self.narrowed = None  # made by the first exact explosion, if one is needed
		return low, high

	def _linked_fit(self, n: int, per_unit: dict[int, int], extra: dict[int, int]) -> bool:
		"""Whether the most possible needs of a build of n on the items linked by substitutes all fit (one
		greedy proof over every pool at once)."""
		pooled = self.pooled
		qtys = [n * per_unit[key] + extra[key] for key in pooled]
		return _greedy(
			range(len(pooled)), list(map(self.options_of.__getitem__, pooled)), qtys, self.available
		)

	def _groups_fit(self, n: int) -> bool:
		"""Whether the most possible needs of a build of n fit in every pool (the greedy proof)."""
		available = self.available
		return all(
			_fits(group, group_rates, n, available)
			for group, group_rates in zip(self.groups, self.group_rates, strict=True)
		)

	def limiting(self, n: int) -> tuple[str, ...] | None:
		"""What is short for a build of n when the estimates of ``bracket`` tell it exactly (every need either
		short at its least or fitting at its most, and every pool fitting), else None."""
		short: set[str] = set()
		_keys, limits, items_of = self.live  # the others fit at their most even at ``high`` >= n
		for limit, rate, e, items in zip(limits, self.live_rates, self.live_extras, items_of, strict=True):
			least = n * rate
			if least > limit:
				short.update(items)
			elif least + e > limit:
				return None
		if self.groups and not self._groups_fit(n):
			return None
		return tuple(sorted(short))


def _fits(group, group_rates, n: int, available) -> bool:
	"""Whether a pool's most possible needs for a build of n fit (the greedy proof)."""
	_keys, options, order, _stock = group
	rates, extras = group_rates
	return _greedy(order, options, [n * rate + e for rate, e in zip(rates, extras, strict=True)], available)


def _greedy(order, options, qtys, available) -> bool:
	"""``Pools._greedy``: rigid needs first, then each in preference order; True proves the pool can be met."""
	left: dict[str, int] = {}
	for k in order:
		need = qtys[k]
		for code in options[k]:
			if not need:
				break
			have = left.get(code)
			if have is None:
				have = available[code]
			if have < need:
				left[code] = 0
				need -= have
			else:
				left[code] = have - need
				need = 0
		if need:
			return False
	return True


class _Solver:
	def __init__(self, catalog: Catalog, item: str, use_subassembly_stock: bool, keep: bool, stock: _Stock):
		self.item = item
		compiled = plans(catalog)
		self.plan = plan = compiled.get([item], keep=keep)
		ids = plan.leaf_ids
		constrained = list(compress(ids, map(compiled.leaf_limits.__getitem__, ids)))
		self.unlimited = not constrained
		self.fast = None
		if constrained and not use_subassembly_stock:
			fast = _Scaled(plan, compiled, constrained, stock)
			if fast.ok:
				self.fast = fast
				return
		# the general path: Decimals (or Fractions), sub-assembly stock, every need through Pools
		items = catalog.items
		leaves = plan.leaves
		self.constrained = [position for position, leaf in enumerate(leaves) if leaf.limits]
		options = [leaves[p].options for p in self.constrained]
		self.pools = Pools(options)
		codes = set().union(*options)
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
		if self.fast is not None:
			return self.fast.shortages(self.item, n)
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
		if self.unlimited:
			return Capacity(self.item, None, ())
		known: dict[int, list[Short]] = {}

		def shortages(n: int) -> list[Short]:
			if n not in known:
				known[n] = self.shortages(n)
			return known[n]

		if self.fast is not None:
			low, high = self.fast.bracket(self.item)  # feasible, infeasible
		else:
			low, high = 0, self._proportional_bound() + 1
		if self.fast is None and self.subassembly_stock:
			# stock of sub-assemblies can lift capacity above the proportional bound: gallop upwards
			probe = high - 1
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
		limiting = None
		if self.fast is not None and high not in known:
			limiting = self.fast.limiting(high)
		if limiting is None:
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
