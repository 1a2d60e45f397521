"""Compiled explosion plans: the structure that explosion, capacity, cost and depletion run quantities through.

A plan of some root products lists every product its builds reach in topological order (a product before its
components) with its lines compiled to steps. Running it for a demand walks the products in that order, so a
sub-assembly used in several places is built once, for the sum of its demands (its setup counts once).
``Plans`` is the one owner of compiled pieces for a catalog structure: each product's ``Node`` (shared by
every plan that reaches it) and whole plans (the most recently used ones).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, Inexact
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from . import errors as E
from .errors import BomError, NoBomError, Problem, UnknownItemError
from .model import Catalog
from .quantity import exact_decimal, fast_or_exact, fraction
from .resolve import Resolver, Use, resolver

ceil = math.ceil

# Plans kept per catalog structure: enough for the products a site asks about, bounded so that a batch over
# thousands of products does not hold every plan in memory.
PLAN_CACHE_SIZE = 256


@dataclass(frozen=True)
class Leaf:
	"""A leaf requirement of a plan: lines with the same item and flags share one Leaf."""

	item: str
	consumable: bool
	non_stock: bool
	optional: bool
	substitutes: tuple[str, ...]
	# the stock items it may draw on (its item first), and whether it limits what can be built (stock, not
	# consumable or optional, and no non-stock substitute)
	options: tuple[str, ...] = field(default=(), compare=False)
	limits: bool = field(default=False, compare=False)


class Step(NamedTuple):
	"""One compiled line: ``coef * d + setup`` of the parent's demand d, rounded up to ``multiple``, goes to
	``target``: a product's position in the plan when ``subassembly``, else a leaf's."""

	target: int
	coef: object
	setup: object
	multiple: object | None
	subassembly: bool


@dataclass(frozen=True)
class Node:
	"""One product's part of every plan that reaches it: its kept lines, their leaves and its scrap."""

	code: str
	uses: tuple[Use, ...]
	leaves: tuple[Leaf | None, ...]  # per use: its leaf, None for a sub-assembly line
	children: tuple[str, ...]  # sub-assemblies its build explodes into
	decimal: bool  # every use has an exact Decimal form
	scrap: tuple[tuple[str, Fraction], ...]  # (item, yield per unit built) of its own BOM

	@cached_property
	def decimal_parts(self) -> tuple[tuple, ...]:
		"""Per use: (coef, setup, multiple, subassembly) in exact Decimals, the part of a Step plans share."""
		return tuple((*use.decimals, use.subassembly) for use in self.uses)

	@cached_property
	def fraction_parts(self) -> tuple[tuple, ...]:
		"""The same in Fractions."""
		return tuple((use.coef, use.setup, use.multiple, use.subassembly) for use in self.uses)


@dataclass
class Run:
	"""The outcome of running a plan: demand per product, sub-assembly stock drawn, totals per leaf."""

	demand: list
	drawn: dict[int, object]
	totals: list
	decimal: bool = False


class Plan:
	"""The explosion structure of some root products: products in topological order and their steps."""

	def __init__(self, roots: tuple[str, ...], nodes: list[Node]):
		self.roots = roots
		self.nodes: list[str] = [node.code for node in nodes]
		self.index = index = {code: position for position, code in enumerate(self.nodes)}
		self.leaves: list[Leaf] = []
		self._structure = nodes
		leaf_index: dict[int, int] = {}  # by identity: Plans makes one Leaf per item and flags
		targets: list[tuple[int, ...]] = []
		for node in nodes:
			node_targets = []
			for use, leaf in zip(node.uses, node.leaves, strict=True):
				if leaf is None:
					node_targets.append(index[use.item])
					continue
				position = leaf_index.get(id(leaf))
				if position is None:
					position = leaf_index[id(leaf)] = len(self.leaves)
					self.leaves.append(leaf)
				node_targets.append(position)
			targets.append(tuple(node_targets))
		self._targets = targets
		self.decimal_steps: list[tuple[Step, ...]] | None = None
		if all(node.decimal for node in nodes):
			self.decimal_steps = [
				tuple(map(_step, node_targets, node.decimal_parts))
				for node_targets, node in zip(targets, nodes, strict=True)
			]
		self._fraction_steps: list[tuple[Step, ...]] | None = None
		self._root_positions = frozenset(index[root] for root in roots)

	def fraction_steps(self) -> list[tuple[Step, ...]]:
		"""The steps in exact Fractions (compiled when first needed: the Decimal ones usually suffice)."""
		if self._fraction_steps is None:
			self._fraction_steps = [
				tuple(map(_step, node_targets, node.fraction_parts))
				for node_targets, node in zip(self._targets, self._structure, strict=True)
			]
		return self._fraction_steps

	def run(
		self, demands: Mapping[str, object], available: Mapping[str, object] | None = None, linear=False
	) -> Run:
		"""Explode exactly. ``available``: sub-assembly stock to use before building (never the roots').

		``linear`` leaves out setup quantities and rounding (the proportional part, for bounds).
		"""
		steps = self.decimal_steps
		fast = None
		if steps is not None:

			def fast():
				return self._run(steps, demands, available, linear, _to_decimal)

		return fast_or_exact(
			fast, lambda: self._run(self.fraction_steps(), demands, available, linear, fraction)
		)

	def _run(self, steps, demands, available, linear, number) -> Run:
		zero = number(0)
		demand = [zero] * len(self.nodes)
		for code, qty in demands.items():
			demand[self.index[code]] += number(qty)
		totals = [zero] * len(self.leaves)
		drawn: dict[int, object] = {}
		roots = self._root_positions
		nodes = self.nodes
		for position, node_steps in enumerate(steps):
			d = demand[position]
			if not d:
				continue
			if available is not None and position not in roots:
				stock = available.get(nodes[position])
				if stock:
					take = min(d, number(stock))
					drawn[position] = take
					d -= take
					if not d:
						continue
			for target, coef, setup, multiple, subassembly in node_steps:
				# requirement(), inlined: this loop is where capacity spends its time
				r = coef * d
				if not linear:
					if setup:
						r += setup
					if multiple is not None:
						r = ceil(r / multiple) * multiple
				if subassembly:
					demand[target] += r
				else:
					totals[target] += r
		return Run(demand, drawn, totals, number is _to_decimal)

	def scrap(self, run: Run) -> dict[str, Fraction]:
		"""What the builds of a run yield as scrap, per item: each product's own scrap for what it built."""
		totals: dict[str, Fraction] = {}
		for position, node in enumerate(self._structure):
			if not node.scrap:
				continue
			built = fraction(run.demand[position]) - fraction(run.drawn.get(position, 0))
			if not built:
				continue
			for item, per_unit in node.scrap:
				totals[item] = totals.get(item, 0) + per_unit * built
		return totals


def _step(target: int, part: tuple) -> Step:
	return _new_tuple(Step, (target, *part))


# Step(...) costs a Python call per line of every compiled plan; tuple.__new__ builds the same Step at C speed.
_new_tuple = tuple.__new__


def requirement(coef, setup, multiple, demand):
	"""What one line needs for a build of ``demand`` units of its parent (the line requirement).

	``coef`` is qty / batch quantity * (1 + attrition / 100); setup is added once per build; the result is
	rounded up to ``multiple`` (the rounding multiple, or 1 for whole-number items) when there is one.
	"""
	r = coef * demand + setup
	if multiple is not None:
		r = math.ceil(r / multiple) * multiple
	return r


def _to_decimal(value) -> Decimal:
	"""Any exact quantity as a Decimal; inside the exact context a non-terminating one raises Inexact."""
	if isinstance(value, Decimal):
		return value
	if isinstance(value, int):
		return Decimal(value)
	value = fraction(value)
	result = exact_decimal(value)
	if result is None:
		raise Inexact("no finite decimal expansion")
	return result


def plans(catalog: Catalog) -> Plans:
	"""The compiled plans of the catalog's structure, shared with its ``with_stock`` copies."""
	return catalog.derived("plans", lambda shared: Plans(resolver(shared)))


class Plans:
	"""The one owner of compiled plans for a catalog structure: nodes per product, plans per root set."""

	def __init__(self, resolver: Resolver):
		self.resolver = resolver
		self._nodes: dict[tuple[str, bool], Node] = {}
		self._leaves: dict[tuple, Leaf] = {}
		self._plans: OrderedDict[tuple, Plan] = OrderedDict()

	def get(self, roots, include_optional: bool = False, keep: bool = True) -> Plan:
		"""The plan of ``roots``; the most recently used PLAN_CACHE_SIZE are kept unless ``keep`` is off
		(a batch that uses each plan once)."""
		key = (tuple(roots), include_optional)
		plan = self._plans.get(key)
		if plan is not None:
			self._plans.move_to_end(key)
			return plan
		plan = self._compile(tuple(dict.fromkeys(roots)), include_optional)
		if keep:
			self._plans[key] = plan
			if len(self._plans) > PLAN_CACHE_SIZE:
				self._plans.popitem(last=False)
		return plan

	def node(self, code: str, include_optional: bool = False) -> Node:
		"""A product's compiled lines (optional ones only when asked). Raises BomError for a bad BOM."""
		key = (code, include_optional)
		node = self._nodes.get(key)
		if node is None:
			node = self._nodes[key] = self._node(code, include_optional)
		return node

	def _node(self, code: str, include_optional: bool) -> Node:
		uses = tuple(use for use in self.resolver.uses(code) if include_optional or not use.optional)
		bom = self.resolver.catalog.boms.get(code)
		scrap = () if bom is None else tuple((s.item, s.qty / bom.quantity) for s in bom.scrap)
		return Node(
			code=code,
			uses=uses,
			leaves=tuple(None if use.subassembly else self._leaf(use) for use in uses),
			children=tuple(use.item for use in uses if use.subassembly),
			decimal=all(use.decimals is not None for use in uses),
			scrap=scrap,
		)

	def _leaf(self, use: Use) -> Leaf:
		key = (use.item, use.consumable, use.non_stock, use.optional, use.substitutes)
		leaf = self._leaves.get(key)
		if leaf is None:
			items = self.resolver.catalog.items
			options = (use.item, *(code for code in use.substitutes if items[code].is_stock))
			limits = not (use.consumable or use.non_stock or use.optional) and len(options) == 1 + len(
				use.substitutes
			)
			leaf = self._leaves[key] = Leaf(*key, options=options, limits=limits)
		return leaf

	def _compile(self, roots: tuple[str, ...], include_optional: bool) -> Plan:
		items = self.resolver.catalog.items
		for root in roots:
			if root not in items:
				raise UnknownItemError(root)
			if not self.resolver.has_bom(root):
				raise NoBomError(root)
		return Plan(
			roots, [self.node(code, include_optional) for code in self._topological(roots, include_optional)]
		)

	def _topological(self, roots, include_optional: bool) -> list[str]:
		"""Products reachable through sub-assembly lines, each before its components. A cycle is a BomError."""
		done: set[str] = set()
		postorder: list[str] = []
		for root in roots:
			if root in done:
				continue
			path = [root]
			on_path = {root}
			stack = [iter(self.node(root, include_optional).children)]
			while stack:
				child = next(stack[-1], None)
				if child is None:
					stack.pop()
					node = path.pop()
					on_path.discard(node)
					done.add(node)
					postorder.append(node)
					continue
				if child in on_path:
					cycle = (*path[path.index(child) :], child)
					raise BomError([Problem(E.CYCLE, path[-1], child, {"path": cycle})])
				if child in done:
					continue
				path.append(child)
				on_path.add(child)
				stack.append(iter(self.node(child, include_optional).children))
		postorder.reverse()
		return postorder
