"""Multi-level explosion with demand aggregated across the whole tree.

A plan is compiled once per set of products (graph walk, cycle check, topological order); running it for a
quantity walks the products in topological order so that a sub-assembly used in several places is built once,
for the sum of its demands (its setup quantity counts once). Capacity runs the same plan many times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from functools import cached_property

from . import errors as E
from .errors import BomError, NoBomError, Problem, QuantityError, UnknownItemError
from .model import Catalog
from .quantity import EXACT, NOT_EXACT, NotANumber, exact, exact_decimal, to_decimal
from .resolve import Resolver, Use


@dataclass(frozen=True)
class Leaf:
	"""A leaf requirement of a plan: lines with the same item and flags share one Leaf."""

	item: str
	consumable: bool
	non_stock: bool
	optional: bool
	substitutes: tuple[str, ...]
	# derived by the resolver from the catalog: the stock items it may draw on (its item first), and whether
	# it limits what can be built (stock, not consumable or optional, and no non-stock substitute)
	options: tuple[str, ...] = field(default=(), compare=False)
	limits: bool = field(default=False, compare=False)

	@property
	def constrained(self) -> bool:
		"""Counts against stock when deciding what can be built (substitutes aside)."""
		return not (self.consumable or self.non_stock or self.optional)


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
class Explosion:
	item: str
	qty: Decimal
	requirements: tuple[Requirement, ...]
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
		return {"item": self.item, "qty": self.qty, "requirements": [r.as_dict() for r in self.requirements]}


@dataclass
class Run:
	"""The outcome of running a plan: demand per node, sub-assembly stock drawn, totals per leaf."""

	demand: list
	drawn: dict[int, object]
	totals: list
	decimal: bool = False


class Plan:
	"""The explosion structure of some root products: nodes in topological order and leaf lines."""

	def __init__(self, resolver: Resolver, roots, include_optional: bool = False):
		self.catalog = resolver.catalog
		self.roots = tuple(dict.fromkeys(roots))
		self.include_optional = include_optional
		for root in self.roots:
			if root not in self.catalog.items:
				raise UnknownItemError(root)
			if not resolver.has_bom(root):
				raise NoBomError(root)
		self.nodes: list[str] = _topological(resolver, self.roots, include_optional)
		self.index = {code: position for position, code in enumerate(self.nodes)}
		self.leaves: list[Leaf] = []
		leaf_index: dict[tuple, int] = {}
		self.lines: list[tuple] = []
		decimal_lines: list[tuple] | None = []
		index = self.index
		shared_leaves = resolver._leaves
		for code in self.nodes:
			kept = resolver.uses(code) if include_optional else resolver.required_uses(code)
			compiled = []
			for use in kept:
				if use.subassembly:
					target = index[use.item]
				else:
					key = use.key
					target = leaf_index.get(key)
					if target is None:
						target = leaf_index[key] = len(self.leaves)
						self.leaves.append(shared_leaves.get(key) or resolver.leaf(key))
				compiled.append((target, use))
			self.lines.append(compiled)
			if decimal_lines is not None:
				try:
					decimal_lines.append(tuple((t, *u.decimals, u.subassembly) for t, u in compiled))
				except TypeError:  # a use without an exact decimal form
					decimal_lines = None
		self._decimal_lines = decimal_lines
		self._root_positions = frozenset(self.index[root] for root in self.roots)
		self._fraction_lines: list | None = None

	def run(
		self, demands: Mapping[str, object], available: Mapping[str, object] | None = None, linear=False
	) -> Run:
		"""Explode exactly. ``available``: sub-assembly stock to use before building (never the roots').

		``linear`` leaves out setup quantities and rounding (the proportional part, for bounds).
		"""
		lines = self._decimal_lines
		if lines is not None:
			try:
				with localcontext(EXACT):
					return self._run(lines, demands, available, linear, _to_decimal)
			except NOT_EXACT:
				pass
		return self._run(self._fractions(), demands, available, linear, exact)

	def _run(self, lines, demands, available, linear, number) -> Run:
		zero = number(0)
		demand = [zero] * len(self.nodes)
		for code, qty in demands.items():
			demand[self.index[code]] += number(qty)
		totals = [zero] * len(self.leaves)
		drawn: dict[int, object] = {}
		roots = self._root_positions
		nodes = self.nodes
		for position, node_lines in enumerate(lines):
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
			for target, coef, setup, multiple, subassembly in node_lines:
				if linear or (not setup and multiple is None):
					r = coef * d
				else:
					r = requirement(coef, setup, multiple, d)
				if subassembly:
					demand[target] += r
				else:
					totals[target] += r
		return Run(demand, drawn, totals, number is _to_decimal)

	def _fractions(self):
		if self._fraction_lines is None:
			self._fraction_lines = [
				tuple((target, use.coef, use.setup, use.multiple, use.subassembly) for target, use in node)
				for node in self.lines
			]
		return self._fraction_lines


def requirement(coef, setup, multiple, demand):
	"""What one line needs for a build of ``demand`` units of its parent (the line requirement of DESIGN.md).

	``coef`` is qty / batch quantity * (1 + attrition / 100); setup is added once per build; the result is
	rounded up to ``multiple`` (the rounding multiple, or 1 for whole-number items) when there is one.
	"""
	r = coef * demand + setup
	if multiple is not None:
		r = math.ceil(r / multiple) * multiple
	return r


def _to_decimal(value) -> Decimal:
	"""Any exact quantity as a Decimal; inside EXACT a non-terminating one raises Inexact."""
	if isinstance(value, Decimal):
		return value
	if isinstance(value, int):
		return Decimal(value)
	value = exact(value)
	result = exact_decimal(value)
	if result is None:
		raise Inexact("no finite decimal expansion")
	return result


def _topological(resolver: Resolver, roots, include_optional: bool) -> list[str]:
	"""Products reachable through sub-assembly lines, each before its components. A cycle is a BomError."""
	done: set[str] = set()
	postorder: list[str] = []
	for root in roots:
		if root in done:
			continue
		path = [root]
		on_path = {root}
		stack = [iter(_children(resolver, root, include_optional))]
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
				raise BomError(
					[Problem(E.CYCLE, path[-1], child, "cycle in BOMs: " + " -> ".join(cycle), path=cycle)]
				)
			if child in done:
				continue
			path.append(child)
			on_path.add(child)
			stack.append(iter(_children(resolver, child, include_optional)))
	postorder.reverse()
	return postorder


def _children(resolver: Resolver, code: str, include_optional: bool):
	return resolver.children(code, include_optional)


def explode_many(
	catalog: Catalog, demands: Mapping[str, object], include_optional: bool = False
) -> tuple[Plan, Run]:
	"""Explode several products together (shared materials and sub-assemblies are aggregated)."""
	plan = catalog.resolver().plan(list(demands), include_optional)
	return plan, plan.run({code: _positive(qty) for code, qty in demands.items()})


def explode(catalog: Catalog, item: str, qty, include_optional: bool = False) -> Explosion:
	"""Leaf requirements of one build of ``qty`` units of ``item``, summed by item and sorted by code."""
	quantity = _positive(qty)
	plan, run = explode_many(catalog, {item: quantity}, include_optional)
	return Explosion(
		item=item, qty=to_decimal(quantity), requirements=summarise(plan, run), _plan=plan, _run=run
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


def _positive(qty) -> Fraction:
	try:
		value = exact(qty)
	except NotANumber:
		raise QuantityError(f"quantity must be a number, not {qty!r}") from None
	if value <= 0:
		raise QuantityError(f"quantity must be above zero, not {qty}")
	return value


def tree(catalog: Catalog, item: str, qty, include_optional: bool = False) -> dict:
	"""The BOM as a tree for display: each line with what it needs for its parent's quantity on that path.

	Per-path quantities count a sub-assembly's setup once per path; the flat ``explode`` list, which builds a
	shared sub-assembly once for its summed demand, is what stock moves by.
	"""
	quantity = _positive(qty)
	resolver = catalog.resolver()
	resolver.plan([item], include_optional)  # refuses cycles and bad lines before walking

	def node(use: Use | None, code: str, amount: Fraction) -> dict:
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
			for child in resolver.uses(code):
				if child.optional and not include_optional:
					continue
				needed = requirement(child.coef, child.setup, child.multiple, amount)
				children.append(node(child, child.item, needed))
			entry["children"] = children
		return entry

	return node(None, item, quantity)


def items_used(catalog: Catalog, product: str, include_optional: bool = True) -> set[str]:
	"""Every item a build of ``product`` can involve: the sub-assemblies it explodes, its leaf items and their
	substitutes (so a caller knows whose stock to read)."""
	plan = catalog.resolver().plan([product], include_optional)
	codes = set(plan.nodes)
	for leaf in plan.leaves:
		codes.add(leaf.item)
		codes.update(leaf.substitutes)
	return codes
