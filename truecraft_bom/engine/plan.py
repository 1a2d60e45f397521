"""Compiled explosion plans: the structure that explosion, capacity, cost and depletion run quantities through.

A plan of some root products lists every product its builds reach in topological order (a product before its
components) with its lines compiled. Running it for a demand walks the products in that order, so a
sub-assembly used in several places is built once, for the sum of its demands (its setup counts once).

Compile once, share everywhere: ``Plans`` is the one owner of compiled pieces for a catalog structure. Each
product is compiled once into a ``Node``: its lines as arithmetic columns, the number of each leaf it feeds,
and its own topological order (every product its build reaches). A plan of some roots is then assembled from
its roots' nodes: its order is spliced from theirs and its leaves numbered, so the work per plan grows with
its number of products and leaves, not with its lines, and nothing is compiled twice. The most recently used
whole plans are kept too.

Capacity runs plans many times for whole numbers of units: for that it uses exact scaled integers (every
quantity times a power of ten that makes all of them whole), several times faster than Decimals; Decimals,
then Fractions, remain the general path.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, Inexact
from fractions import Fraction
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from . import errors as E
from .errors import BomError, NoBomError, Problem, UnknownItemError
from .model import Catalog
from .quantity import ONE, ZERO, exact_decimal, fast_or_exact, fraction
from .resolve import Resolver, Use, decimal_arithmetic, resolver

ceil = math.ceil

# Plans kept per catalog structure: enough for the products a site asks about, bounded so that a batch over
# thousands of products does not hold every plan in memory.
PLAN_CACHE_SIZE = 256

# The scaled-integer run is used up to this power of ten; beyond it (absurdly fine quantities) Decimals are.
MAX_SCALE = 120


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
	"""One compiled line: a build of d units of its product needs ``coef * d + setup`` of ``target``, rounded up
	to ``multiple`` (None: no rounding; True: to a whole unit). ``target`` is a sub-assembly's item code, or
	the number Plans gave a leaf."""

	target: str | int
	coef: object
	setup: object
	multiple: object | None


@dataclass(frozen=True)
class Node:
	"""One product's part of every plan that reaches it: its kept lines, their leaves and its scrap."""

	code: str
	uses: tuple[Use, ...]
	leaves: tuple[Leaf | None, ...]  # per use: its leaf, None for a sub-assembly line
	children: tuple[str, ...]  # per sub-assembly line, in line order: the sub-assembly it explodes into
	leaf_ids: tuple[int, ...]  # per other line, in line order: the number Plans gave its leaf
	decimal: bool  # every figure of every use has a finite decimal expansion (an exact Decimal form)
	scrap: tuple[tuple[str, Fraction], ...]  # (item, yield per unit built) of its own BOM

	@cached_property
	def decimal_steps(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
		"""(sub-assembly lines, leaf lines) in exact Decimals (made when first run: capacity needs none)."""
		return self._steps(decimal_arithmetic, Decimal(1))

	@cached_property
	def fraction_steps(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
		"""The same in Fractions."""
		return self._steps(lambda use: (use.coef, use.setup, use.multiple), 1)

	def _steps(self, arithmetic, one) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
		sub: list[Step] = []
		leaf: list[Step] = []
		children, leaf_ids = iter(self.children), iter(self.leaf_ids)
		for use in self.uses:
			coef, setup, multiple = arithmetic(use)
			if multiple is not None and multiple == one:
				multiple = True
			if use.subassembly:
				sub.append(Step(next(children), coef, setup, multiple))
			else:
				leaf.append(Step(next(leaf_ids), coef, setup, multiple))
		return tuple(sub), tuple(leaf)


@dataclass
class Run:
	"""The outcome of running a plan: demand per product, sub-assembly stock drawn, totals per leaf."""

	demand: list
	drawn: dict[int, object]
	totals: list
	decimal: bool = False


class Plan:
	"""The explosion structure of some root products: products in topological order and their lines.

	Made of its products' shared nodes: only the order, the leaves and their numbers are its own.
	"""

	def __init__(
		self,
		roots: tuple[str, ...],
		nodes: list[Node],
		leaf_ids: list[int],
		owner: Plans,
		include_optional: bool,
	):
		self.roots = roots
		self.nodes: list[str] = [node.code for node in nodes]
		self.leaf_ids = leaf_ids  # Plans' number of each of ``leaves``
		self._structure = nodes
		self._owner = owner
		self._include_optional = include_optional
		self._scaled_nodes: list[ScaledNode] | None = None
		self._rows: dict[int, list[tuple]] = {}

	# what the general (Decimal, Fraction) runs and the callers read; a capacity search in scaled integers
	# reads none of it, so it is made when first asked
	@cached_property
	def index(self) -> dict[str, int]:
		"""Position of each product in ``nodes``."""
		return dict(zip(self.nodes, range(len(self.nodes)), strict=True))

	@cached_property
	def leaves(self) -> list[Leaf]:
		return list(map(self._owner.leaf_list.__getitem__, self.leaf_ids))

	@cached_property
	def decimal(self) -> bool:
		return all(node.decimal for node in self._structure)

	@cached_property
	def _root_positions(self) -> frozenset[int]:
		return frozenset(self.index[root] for root in self.roots)

	def run(
		self, demands: Mapping[str, object], available: Mapping[str, object] | None = None, linear=False
	) -> Run:
		"""Explode exactly. ``available``: sub-assembly stock to use before building (never the roots').

		``linear`` leaves out setup quantities and rounding (the proportional part, for bounds).
		"""
		fast = None
		if self.decimal:

			def fast():
				return self._run(True, demands, available, linear)

		return fast_or_exact(fast, lambda: self._run(False, demands, available, linear))

	def _run(self, decimal: bool, demands, available, linear) -> Run:
		number = _to_decimal if decimal else fraction
		zero = number(0)
		demand = dict.fromkeys(self.nodes, zero)
		for code, qty in demands.items():
			demand[code] += number(qty)
		totals = dict.fromkeys(self.leaf_ids, zero)
		drawn: dict[int, object] = {}
		roots = self._root_positions
		for position, node in enumerate(self._structure):
			d = demand[node.code]
			if not d:
				continue
			if available is not None and position not in roots:
				stock = available.get(node.code)
				if stock:
					take = min(d, number(stock))
					drawn[position] = take
					d -= take
					if not d:
						continue
			# requirement(), inlined: these loops are where explosion spends its time
			sub, leaf = node.decimal_steps if decimal else node.fraction_steps
			for into, steps in ((demand, sub), (totals, leaf)):
				for target, coef, setup, multiple in steps:
					r = coef * d
					if not linear:
						if setup:
							r += setup
						if multiple is not None:
							r = ceil(r) if multiple is True else ceil(r / multiple) * multiple
					into[target] += r
		return Run(list(demand.values()), drawn, list(totals.values()), decimal)

	def scale(self) -> int | None:
		"""The least power of ten that makes every quantity of a run for whole numbers of the roots a whole
		number (None: some quantity has no finite decimal expansion, or it is beyond MAX_SCALE)."""
		try:
			return self._scale
		except AttributeError:
			self._scale = self._owner.scale_of(self)
			return self._scale

	def run_scaled(
		self, demands: Mapping[str, int], scale: int, narrowed: tuple[list, list[int]] | None = None
	) -> dict[int, int]:
		"""Leaf totals (by leaf number, as in ``leaf_ids``) of one build of whole numbers of the roots, times
		``10 ** scale`` (at least ``scale()``), as exact integers, for the leaves that limit capacity (the
		others stay 0: the scaled run serves capacity only). No sub-assembly stock is used.

		``narrowed`` (``narrowed(scale, leaves)``) computes only those leaves' totals."""
		demand = dict.fromkeys(self.nodes, 0)
		rows = self._prepare(demands, scale, demand)
		if narrowed is None:
			totals = dict.fromkeys(self.leaf_ids, 0)
		else:
			rows, leaves = narrowed
			totals = dict.fromkeys(leaves, 0)
		for code, sub_plain, sub, leaf_plain, leaf, factor in rows:
			d = demand[code]
			if not d:
				continue
			for target, coef in sub_plain:
				demand[target] += coef * d
			for target, coef, setup, multiple in sub:
				r = coef * d
				if setup:
					r += setup * factor
				if multiple:
					multiple *= factor
					r = -(-r // multiple) * multiple
				demand[target] += r
			for target, coef in leaf_plain:
				totals[target] += coef * d
			for target, coef, setup, multiple in leaf:
				r = coef * d
				if setup:
					r += setup * factor
				if multiple:
					multiple *= factor
					r = -(-r // multiple) * multiple
				totals[target] += r
		return totals

	def narrowed(self, scale: int, leaves: list[int]) -> tuple[list, list[int]]:
		"""``run_scaled``'s rows for ``scale`` with only what the totals of ``leaves`` depend on: their leaf
		lines, and the sub-assemblies (and their lines) that lead to one of them."""
		wanted = set(leaves)
		needed: set[str] = set()
		rows = []
		for code, sub_plain, sub, leaf_plain, leaf, factor in reversed(self._prepare({}, scale, {})):
			if leaf_plain:
				leaf_plain = [line for line in leaf_plain if line[0] in wanted]
			if leaf:
				leaf = [line for line in leaf if line[0] in wanted]
			if sub_plain:
				sub_plain = [line for line in sub_plain if line[0] in needed]
			if sub:
				sub = [line for line in sub if line[0] in needed]
			if leaf_plain or leaf or sub_plain or sub:
				needed.add(code)
				rows.append((code, sub_plain, sub, leaf_plain, leaf, factor))
		rows.reverse()  # products before their components again
		return rows, leaves

	def estimate_scaled(self, root: str, scale: int) -> tuple[dict[int, int], dict[int, int]]:
		"""Two leaf vectors, scaled as ``run_scaled``'s, that bracket every build of n units of ``root``:
		``n * per_unit <= run_scaled({root: n}) <= n * per_unit + extra`` on every leaf.

		``per_unit`` is the proportional part (no setup, no rounding). ``extra`` is the most that setups and
		rounding can add to it: a line adds at most its setup and one rounding multiple less one scaled unit,
		and what a sub-assembly line adds is carried down its sub-assembly's lines like demand.
		"""
		demand = dict.fromkeys(self.nodes, 0)
		surplus = demand.copy()
		rows = self._prepare({root: 1}, scale, demand)
		per_unit = dict.fromkeys(self.leaf_ids, 0)
		extra = per_unit.copy()
		nodes = self._scaled_nodes
		for (code, sub_plain, _sub, leaf_plain, _leaf, factor), node in zip(rows, nodes, strict=True):
			d = demand[code]
			e = surplus[code]
			for target, coef in sub_plain:
				demand[target] += coef * d
				surplus[target] += coef * e
			for target, coef, slack, bump in node.sub_slack:
				demand[target] += coef * d
				surplus[target] += coef * e + slack * factor - bump
			if e:
				for target, coef in leaf_plain:
					per_unit[target] += coef * d
					extra[target] += coef * e
			else:  # the root: nothing added above it
				for target, coef in leaf_plain:
					per_unit[target] += coef * d
			for target, coef, slack, bump in node.leaf_slack:
				per_unit[target] += coef * d
				extra[target] += coef * e + slack * factor - bump
		return per_unit, extra

	def _prepare(self, demands: Mapping[str, int], scale: int, demand: dict[str, int]) -> list[tuple]:
		"""The scaled rows for ``scale``, with ``demands`` added to ``demand`` at their products' scale."""
		rows = self._rows.get(scale)
		if rows is None:
			rows = self._rows[scale] = self._scaled_rows(scale)
		heights = self._heights
		for code, qty in demands.items():
			demand[code] += qty * 10 ** (scale - heights[code])
		return rows

	def _scaled_rows(self, scale: int) -> list[tuple]:
		"""Per node, what ``run_scaled`` reads: the shared scaled node's lines and its factor for ``scale``."""
		nodes = self._scaled_nodes
		if nodes is None:
			nodes = self._scaled_nodes = self._owner.scaled_nodes(self)
			self._heights = {node.code: node.height for node in nodes}
		return [
			(node.code, node.sub_plain, node.sub, node.leaf_plain, node.leaf, 10 ** (scale - node.scale))
			for node in nodes
		]

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


def places(value: Fraction) -> int | None:
	"""Digits after the point of an exact quantity's decimal expansion; None when it does not terminate."""
	denominator = value.denominator
	try:
		return _PLACES[denominator]
	except KeyError:
		pass
	twos = (denominator & -denominator).bit_length() - 1
	rest = denominator >> twos
	fives = 0
	while rest % 5 == 0:
		rest //= 5
		fives += 1
	found = max(twos, fives) if rest == 1 else None
	if len(_PLACES) < 4096:
		_PLACES[denominator] = found
	return found


# denominator -> places(): a catalog's quantities share a handful of denominators (1, 10, 100, 4, ...)
_PLACES: dict[int, int | None] = {1: 0}


def _terminates(use: Use) -> bool:
	"""Whether the use's figures all have a finite decimal expansion."""
	return (
		places(use.coef) is not None
		and places(use.setup) is not None
		and (use.multiple is None or places(use.multiple) is not None)
	)


def scaled(value: Fraction, scale: int) -> int:
	"""``value * 10 ** scale`` as an integer (exact when ``places(value) <= scale``)."""
	return value.numerator * 10**scale // value.denominator


def plans(catalog: Catalog) -> Plans:
	"""The compiled plans of the catalog's structure, shared with its ``with_stock`` copies."""
	return catalog.derived("plans", lambda shared: Plans(resolver(shared)))


class Plans:
	"""The one owner of compiled plans for a catalog structure: nodes and their topological orders per product,
	leaves, the scaled-integer forms of the nodes, and the most recently used plans per root set."""

	def __init__(self, resolver: Resolver):
		self.resolver = resolver
		self._nodes: dict[tuple[str, bool], Node] = {}
		self._leaf_ids: dict[tuple, int] = {}
		self.leaf_list: list[Leaf] = []
		# per leaf number, for work over many leaves at C speed: does it limit capacity, may it draw on
		# several items (its options without repeats), and those options
		self.leaf_limits: list[bool] = []
		self.leaf_flexible: list[bool] = []
		self.leaf_options: list[tuple[str, ...]] = []
		self.leaf_item: list[str] = []
		# (product, include_optional) -> every product its build reaches, in the postorder of a depth-first
		# walk from it (components before the product; the reverse is a topological order)
		self._orders: dict[tuple[str, bool], tuple[str, ...]] = {}
		# (product, include_optional) -> the node in scaled integers; None: it has no scaled form
		self._scaled: dict[tuple[str, bool], ScaledNode | None] = {}
		self._plans: OrderedDict[tuple, Plan] = OrderedDict()

	def carried(self, catalog: Catalog, changed: frozenset[str]) -> Plans:
		"""These compiled pieces for ``catalog``, a structure that differs only in the ``changed`` items and
		the BOMs of the ``changed`` products (``Catalog.changed``): the nodes, orders and scaled forms of the
		products the change cannot reach are kept, with the leaves that name no stale item; whole plans are
		assembled again when asked (cheap, from the kept nodes)."""
		stale = self.resolver.stale(catalog, changed)
		new = Plans(resolver(catalog))
		new._nodes = {key: node for key, node in self._nodes.items() if key[0] not in stale}
		new._orders = {key: order for key, order in self._orders.items() if key[0] not in stale}
		new._scaled = {key: node for key, node in self._scaled.items() if key[0] not in stale}
		# leaf numbers stay as they were (kept nodes hold them); a leaf naming a stale item gets a new number
		# when next used, and its old number is left unused
		new.leaf_list = list(self.leaf_list)
		new.leaf_limits = list(self.leaf_limits)
		new.leaf_flexible = list(self.leaf_flexible)
		new.leaf_options = list(self.leaf_options)
		new.leaf_item = list(self.leaf_item)
		new._leaf_ids = {
			key: number
			for key, number in self._leaf_ids.items()
			if key[0] not in stale and stale.isdisjoint(key[4])
		}
		return new

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
		leaf_ids = tuple(self._leaf(use) for use in uses if not use.subassembly)
		numbers = iter(leaf_ids)
		return Node(
			code=code,
			uses=uses,
			leaves=tuple(None if use.subassembly else self.leaf_list[next(numbers)] for use in uses),
			children=tuple(use.item for use in uses if use.subassembly),
			leaf_ids=leaf_ids,
			decimal=all(map(_terminates, uses)),
			scrap=scrap,
		)

	def _leaf(self, use: Use) -> int:
		"""The number of the line's leaf: one Leaf per item and flags, numbered in order of first use."""
		key = (use.item, use.consumable, use.non_stock, use.optional, use.substitutes)
		number = self._leaf_ids.get(key)
		if number is None:
			items = self.resolver.catalog.items
			options = (use.item, *(code for code in use.substitutes if items[code].is_stock))
			limits = not (use.consumable or use.non_stock or use.optional) and len(options) == 1 + len(
				use.substitutes
			)
			number = self._leaf_ids[key] = len(self.leaf_list)
			self.leaf_list.append(Leaf(*key, options=options, limits=limits))
			distinct = tuple(dict.fromkeys(options))
			self.leaf_limits.append(limits)
			self.leaf_flexible.append(limits and len(distinct) > 1)
			self.leaf_options.append(distinct)
			self.leaf_item.append(use.item)
		return number

	def _compile(self, roots: tuple[str, ...], include_optional: bool) -> Plan:
		items = self.resolver.catalog.items
		for root in roots:
			if root not in items:
				raise UnknownItemError(root)
			if not self.resolver.has_bom(root):
				raise NoBomError(root)
		nodes = [self._nodes[code, include_optional] for code in self._topological(roots, include_optional)]
		leaf_ids = list(dict.fromkeys(chain.from_iterable(map(attrgetter("leaf_ids"), nodes))))
		return Plan(roots, nodes, leaf_ids, self, include_optional)

	def _topological(self, roots, include_optional: bool) -> list[str]:
		"""Products reachable through sub-assembly lines, each before its components. A cycle is a BomError."""
		orders = [self._postorder(root, include_optional) for root in roots]
		# a depth-first walk from several roots skips what an earlier root reached: the first occurrences
		postorder = orders[0] if len(orders) == 1 else dict.fromkeys(chain.from_iterable(orders))
		return list(reversed(postorder))

	def _postorder(self, root: str, include_optional: bool) -> tuple[str, ...]:
		"""The postorder of a depth-first walk from ``root``, each product's own spliced from its components'.

		A walk from a product that skips what it already reached visits the rest of a component's reach in
		the order its own walk does: so a product's postorder is its components' postorders, each without what
		came before, then itself. Products already ordered are not walked again.
		"""
		orders = self._orders
		found = orders.get((root, include_optional))
		if found is not None:
			return found
		path = [root]
		on_path = {root}
		stack = [iter(self.node(root, include_optional).children)]
		while stack:
			child = next(stack[-1], None)
			if child is None:
				stack.pop()
				code = path.pop()
				on_path.discard(code)
				children = self._nodes[code, include_optional].children
				if not children:
					orders[code, include_optional] = (code,)
				elif len(children) == 1:
					below = orders[children[0], include_optional]
					orders[code, include_optional] = (*below, code)
				else:
					reached = chain.from_iterable(orders[c, include_optional] for c in children)
					orders[code, include_optional] = (*dict.fromkeys(reached), code)
				continue
			if child in on_path:
				cycle = (*path[path.index(child) :], child)
				raise BomError([Problem(E.CYCLE, path[-1], child, {"path": cycle})])
			if (child, include_optional) in orders:
				continue
			path.append(child)
			on_path.add(child)
			stack.append(iter(self.node(child, include_optional).children))
		return orders[root, include_optional]

	def scale_of(self, plan: Plan) -> int | None:
		"""The least scale of a plan's scaled run (``Plan.scale``): the largest least scale of its roots."""
		optional = plan._include_optional
		scaled = self._scaled
		for node in reversed(plan._structure):  # components first
			key = (node.code, optional)
			if key not in scaled:
				scaled[key] = self._scale_node(node, optional)
		found = [scaled[root, optional] for root in plan.roots]
		return None if None in found else max(node.need for node in found)

	def scaled_nodes(self, plan: Plan) -> list[ScaledNode]:
		"""The plan's nodes in scaled form (``scale_of`` made them)."""
		optional = plan._include_optional
		return [self._scaled[node.code, optional] for node in plan._structure]

	def _scale_node(self, node: Node, optional: bool) -> ScaledNode | None:
		"""A node in scaled integers, once per catalog structure; None when it has none (``ScaledNode``)."""
		if not node.decimal:
			return None
		height = need = own = 0
		lines = []
		children = iter(node.children)
		# (comparisons written out: this loop runs for every line of the catalog)
		for use in node.uses:
			if use.subassembly:
				child = self._scaled[next(children), optional]
				if child is None:
					return None
				below = child.height
				if child.need > need:
					need = child.need
			else:
				below = 0
			digits = places(use.coef) + below
			if digits > height:
				height = digits
			# most lines have no setup and round to whole units or not at all
			if use.setup is not ZERO:
				digits = below + places(use.setup)
				if digits > own:
					own = digits
			if use.multiple is not None and use.multiple is not ONE:
				digits = below + places(use.multiple)
				if digits > own:
					own = digits
			if below > own:
				own = below
			lines.append((use, below))
		need = max(need, own, height)
		if need > MAX_SCALE:
			return None
		kinds: tuple[list, list, list, list] = ([], [], [], [])  # sub plain, sub, leaf plain, leaf
		limits = self.leaf_limits
		children, leaf_ids = iter(node.children), iter(node.leaf_ids)
		for use, below in lines:
			# d is stored times 10^(s - height), the target's demand times 10^(s - below), for a scale s
			coef = scaled(use.coef, height - below)
			setup = 0 if use.setup is ZERO else scaled(use.setup, own - below)
			if use.multiple is None:
				multiple = 0
			elif use.multiple is ONE:
				multiple = 10 ** (own - below)
			else:
				multiple = scaled(use.multiple, own - below)
			target = next(children) if use.subassembly else next(leaf_ids)
			kind = 0 if use.subassembly else 2
			if kind and not limits[target]:
				continue  # capacity never reads a leaf that does not limit it
			if setup or multiple:
				kinds[kind + 1].append(Step(target, coef, setup, multiple))
			else:
				kinds[kind].append((target, coef))
		sub_plain, sub, leaf_plain, leaf = map(tuple, kinds)
		return ScaledNode(
			node.code,
			height,
			own,
			need,
			sub_plain,
			sub,
			leaf_plain,
			leaf,
			tuple(_slack(step) for step in sub),
			tuple(_slack(step) for step in leaf),
		)


class ScaledNode(NamedTuple):
	"""A node for the scaled-integer run at any scale s >= ``need``.

	The demand on the product is stored times ``10 ** (s - height)``; ``height`` is the most digits its lines
	add on any path down to a leaf (leaf totals are stored times ``10 ** s``), so that every coefficient is a
	whole number. Setups and rounding multiples are whole at the node's own least scale ``scale`` and are
	multiplied by ``10 ** (s - scale)`` when run. ``need``: the least s for the plan of this product.
	"""

	code: str
	height: int
	scale: int
	need: int
	sub_plain: tuple[
		tuple[str, int], ...
	]  # (target, coef) of the sub-assembly lines without setup or rounding
	sub: tuple[Step, ...]  # the other sub-assembly lines; multiple 0: no rounding
	# the same for the leaf lines whose leaf limits capacity (the others are left out)
	leaf_plain: tuple[tuple[int, int], ...]
	leaf: tuple[Step, ...]
	# ``sub`` and ``leaf`` for ``Plan.estimate_scaled``: (target, coef, setup + multiple, 1 if rounded else 0),
	# the most a line adds above its proportional part being ``(setup + multiple) * factor - 1``
	sub_slack: tuple[tuple[str, int, int, int], ...]
	leaf_slack: tuple[tuple[int, int, int, int], ...]


def _slack(step: Step) -> tuple:
	return (step.target, step.coef, step.setup + step.multiple, 1 if step.multiple else 0)
