"""Drawing requirements from stock when lines may use substitutes.

Each need names the items it may draw from, in order of preference (the line's item first, then its
substitutes). Needs with one item simply compare totals. Items linked by substitutes form a pool, solved
exactly as a min-cost flow: every need is met whenever any allocation can meet them all (a flexible line never
starves a line with no alternative), and among such allocations the preferred items are used first.
When the pool cannot be met, the short part is the smallest set of needs whose items cannot cover them
(the min cut), reported with what those needs want and what their items hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .quantity import ZERO, fraction


@dataclass(frozen=True)
class Short:
	"""Needs that cannot be met: together they want ``needed`` of ``items``, which hold ``available``."""

	items: tuple[str, ...]
	needed: Fraction
	available: Fraction


class Pools:
	"""The pool structure of a fixed list of needs (their item options); quantities vary per call."""

	def __init__(self, options: Sequence[tuple[str, ...]], distinct: bool = False):
		"""``distinct``: no option names an item twice (else repeats are dropped here)."""
		self.options = (
			list(options)
			if distinct
			else [option if len(option) == 1 else tuple(dict.fromkeys(option)) for option in options]
		)
		# items linked by substitutes: each item of a flexible need maps to the list of the items of its pool
		# (one list object per pool; the smaller pool's items move when two meet)
		pool_of: dict[str, list[str]] = {}
		for option in self.options:
			if len(option) == 1:
				continue
			pool = pool_of.get(option[0])
			if pool is None:
				pool = pool_of[option[0]] = [option[0]]
			for other in option[1:]:
				found = pool_of.get(other)
				if found is None:
					pool.append(other)
					pool_of[other] = pool
				elif found is not pool:
					if len(found) > len(pool):
						pool, found = found, pool
					for code in found:
						pool_of[code] = pool
					pool.extend(found)
		# single[item]: needs drawing only on that item, outside any pool; groups: the pools
		self.single: dict[str, list[int]] = {}
		groups: dict[int, list[int]] = {}
		for position, option in enumerate(self.options):
			pool = pool_of.get(option[0])
			if pool is None:
				self.single.setdefault(option[0], []).append(position)
			else:
				groups.setdefault(id(pool), []).append(position)
		self.groups: list[list[int]] = list(groups.values())

	def shortages(self, qtys: Sequence, available: Mapping[str, object]) -> list[Short]:
		"""What cannot be met, or an empty list when everything can."""
		return self._solve(qtys, available, want_allocation=False)[1]

	def allocate(
		self, qtys: Sequence, available: Mapping[str, object]
	) -> tuple[list[dict[str, Fraction]], list[Short]]:
		"""Per need, the quantity drawn from each item; and what cannot be met (nothing is drawn for it)."""
		return self._solve(qtys, available, want_allocation=True)

	def _solve(self, qtys, available, want_allocation):
		shorts: list[Short] = []
		allocation: list[dict[str, Fraction]] = [{} for _ in self.options] if want_allocation else []
		for code, positions in self.single.items():
			total = (
				qtys[positions[0]] if len(positions) == 1 else sum(qtys[position] for position in positions)
			)
			have = available.get(code, ZERO)
			if total > have:
				shorts.append(Short((code,), fraction(total), fraction(have)))
			elif want_allocation:
				for position in positions:
					if qtys[position]:
						allocation[position][code] = fraction(qtys[position])
		for group in self.groups:
			if not want_allocation and self._greedy(group, qtys, available):
				continue
			drawn, short = _flow(
				[self.options[p] for p in group], [fraction(qtys[p]) for p in group], available
			)
			shorts.extend(short)
			if want_allocation and not short:
				for position, taken in zip(group, drawn, strict=True):
					allocation[position] = taken
		return allocation, shorts

	def _greedy(self, group, qtys, available) -> bool:
		"""A quick proof that a pool can be met: rigid needs first, then each in preference order.

		Success proves feasibility; failure proves nothing (the exact flow decides).
		"""
		left: dict[str, object] = {}
		for position in sorted(group, key=lambda p: len(self.options[p])):
			need = qtys[position]
			for code in self.options[position]:
				if not need:
					break
				have = left.get(code)
				if have is None:
					have = available.get(code, ZERO)
				take = min(have, need)
				left[code] = have - take
				need -= take
			if need:
				return False
		return True


@dataclass(slots=True)
class _Edge:
	"""An arc of the flow graph; ``reverse`` is the index of its twin in ``to``'s list."""

	to: int
	capacity: object
	cost: int
	reverse: int


def flow_shortages(options, needs, available) -> list[Short]:
	"""``Pools.shortages`` of one pool: ``needs[i]`` may draw on ``options[i]``. Needs and stock may be exact
	Fractions or, all of them, integers (quantities scaled by one power of ten)."""
	return _flow(options, needs, available)[1]


def _flow(options, needs, available):
	"""Min-cost max-flow: source -> need (its qty) -> item (cost = preference rank) -> sink (item stock).

	Quantities stay integers when they are (a scaled capacity search), else are exact Fractions."""
	items = list(dict.fromkeys(code for option in options for code in option))
	n_needs = len(needs)
	source, sink = n_needs + len(items), n_needs + len(items) + 1
	item_node = {code: n_needs + k for k, code in enumerate(items)}
	graph: list[list[_Edge]] = [[] for _ in range(sink + 1)]

	def edge(u, v, capacity, cost):
		graph[u].append(_Edge(v, capacity, cost, len(graph[v])))
		graph[v].append(_Edge(u, 0, -cost, len(graph[u]) - 1))

	for position, (option, need) in enumerate(zip(options, needs, strict=True)):
		edge(source, position, need, 0)
		for rank, code in enumerate(option):
			edge(position, item_node[code], need, rank)
	for code in items:
		stock = available.get(code, 0)
		edge(item_node[code], sink, stock if type(stock) is int else fraction(stock), 0)

	while True:
		# Bellman-Ford over the residual graph (it has negative reverse costs); the graph is tiny.
		distance = [None] * len(graph)
		via: list[tuple[int, _Edge] | None] = [None] * len(graph)
		distance[source] = 0
		for _ in range(len(graph)):
			changed = False
			for u, edges in enumerate(graph):
				if distance[u] is None:
					continue
				for arc in edges:
					v = arc.to
					if arc.capacity > 0 and (distance[v] is None or distance[u] + arc.cost < distance[v]):
						distance[v] = distance[u] + arc.cost
						via[v] = (u, arc)
						changed = True
			if not changed:
				break
		if distance[sink] is None:
			break
		bottleneck = None
		node = sink
		while node != source:
			u, arc = via[node]
			bottleneck = arc.capacity if bottleneck is None else min(bottleneck, arc.capacity)
			node = u
		node = sink
		while node != source:
			u, arc = via[node]
			arc.capacity -= bottleneck
			graph[node][arc.reverse].capacity += bottleneck
			node = u

	drawn = []
	for position, option in enumerate(options):
		taken = {}
		for arc in graph[position]:
			if arc.to in (source, sink) or arc.to < n_needs:
				continue
			flow = graph[arc.to][arc.reverse].capacity
			if flow > 0:
				taken[items[arc.to - n_needs]] = flow
		drawn.append({code: taken[code] for code in option if code in taken})

	unmet = [p for p in range(n_needs) if sum(drawn[p].values(), ZERO) < needs[p]]
	if not unmet:
		return drawn, []
	# Needs still reachable from the source in the residual graph form the deficient side of the min cut.
	reach = {source}
	frontier = [source]
	while frontier:
		u = frontier.pop()
		for arc in graph[u]:
			if arc.capacity > 0 and arc.to not in reach:
				reach.add(arc.to)
				frontier.append(arc.to)
	deficient = [p for p in range(n_needs) if p in reach]
	pool = sorted({code for p in deficient for code in options[p]})
	return drawn, [
		Short(
			tuple(pool),
			sum((needs[p] for p in deficient), ZERO),
			sum((fraction(available.get(code, ZERO)) for code in pool), ZERO),
		)
	]
