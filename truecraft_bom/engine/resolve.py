"""Effective BOM lines: inheritance down the variant chain and attribute matching.

A product's effective lines are its own BOM's lines plus the ``inherited`` lines of its templates'
BOMs (nearest template first); an own line, or a nearer template's, overrides a farther one for the same
item code. A line whose item is a template resolves, for a variant product, to the one variant of that
template whose attributes agree with the product's.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

from . import errors as E
from .errors import BomError, Problem
from .model import Bom, Catalog, Line
from .quantity import HUNDRED, ONE, ZERO, exact_decimal, money


@dataclass(frozen=True)
class Use:
	"""One effective line of ``product``, with its item resolved and its arithmetic prepared.

	A build of d units of ``product`` needs ``coef * d + setup`` of ``item`` (rounded up to ``multiple``).
	"""

	product: str
	source: str
	line: Line
	item: str
	coef: Fraction
	setup: Fraction
	multiple: Fraction | None
	subassembly: bool
	non_stock: bool
	# (coef, setup, multiple) as exact Decimals for the fast path, or None when one has no finite expansion
	decimals: tuple | None = None
	# lines with the same key are one leaf requirement: (item, consumable, non_stock, optional, substitutes)
	key: tuple = ()

	@property
	def consumable(self) -> bool:
		return self.line.consumable

	@property
	def optional(self) -> bool:
		return self.line.optional

	@property
	def substitutes(self) -> tuple[str, ...]:
		return self.line.substitutes


def line_problems(catalog: Catalog, bom: Bom, line: Line) -> list[Problem]:
	"""Problems of one line that make it unusable (shared by validation and explosion)."""
	where = f"BOM of {bom.product}, line {line.item}"
	problems = [Problem(d.code, bom.product, line.item, d.message, field=d.field) for d in line.defects]

	def add(code: str, message: str, field: str | None = None, value=None):
		"""``message`` gets the offending value at its ``{}`` (item codes never pass through format)."""
		shown = None if value is None else _show(value)
		text = message if shown is None else message.format(shown)
		problems.append(Problem(code, bom.product, line.item, f"{where}: {text}", field=field, value=shown))

	if line.item not in catalog.items:
		add(E.UNKNOWN_ITEM, f"unknown item {line.item}")
	for substitute in line.substitutes:
		if substitute not in catalog.items:
			add(E.UNKNOWN_ITEM, f"unknown substitute item {substitute}")
	if line.qty is not None and line.qty <= 0:
		add(E.BAD_QUANTITY, "quantity must be above zero, not {}", "qty", line.qty)
	if not ZERO <= line.attrition < HUNDRED:
		add(
			E.BAD_OVERAGE,
			"attrition must be at least 0% and below 100%, not {}%",
			"attrition",
			line.attrition,
		)
	if line.setup_qty < 0:
		add(E.BAD_OVERAGE, "setup quantity cannot be negative ({})", "setup_qty", line.setup_qty)
	if line.rounding_multiple is not None and line.rounding_multiple <= 0:
		add(
			E.BAD_QUANTITY,
			"rounding multiple must be above zero, not {}",
			"rounding_multiple",
			line.rounding_multiple,
		)
	return problems


def bom_problems(catalog: Catalog, bom: Bom) -> list[Problem]:
	"""Problems of the BOM header itself."""
	problems = [Problem(d.code, bom.product, None, d.message, field=d.field) for d in bom.defects]
	if bom.product not in catalog.items:
		problems.append(Problem(E.UNKNOWN_ITEM, bom.product, None, f"BOM for unknown item {bom.product}"))
	if bom.quantity is not None and bom.quantity <= 0:
		problems.append(
			Problem(
				E.BAD_QUANTITY,
				bom.product,
				None,
				f"BOM of {bom.product}: batch quantity must be above zero, not {_show(bom.quantity)}",
				field="quantity",
				value=_show(bom.quantity),
			)
		)
	return problems


def _show(value: Fraction) -> str:
	return str(money(value))


# Plans kept per resolver: enough for the products a site asks about, bounded so that a batch over thousands of
# products does not hold every plan in memory.
PLAN_CACHE_SIZE = 256


class Resolver:
	"""Effective lines per product for one catalog, memoised for the duration of one engine call."""

	def __init__(self, catalog: Catalog):
		self.catalog = catalog
		self._effective: dict[str, tuple[tuple[Bom, Line], ...]] = {}
		self._uses: dict[str, tuple[Use, ...]] = {}
		self._bom_checked: dict[str, list[Problem]] = {}
		self._leaves: dict[tuple, object] = {}
		self._required: dict[str, tuple[Use, ...]] = {}
		self._children: dict[tuple, list[str]] = {}
		self._plans: OrderedDict[tuple, object] = OrderedDict()

	def ancestors(self, code: str) -> list[str]:
		"""Templates up the variant_of chain, nearest first. A loop in the chain is a cycle problem."""
		chain: list[str] = []
		seen = {code}
		item = self.catalog.items.get(code)
		while item is not None and item.variant_of:
			parent = item.variant_of
			if parent in seen:
				path = (code, *chain, parent)
				raise BomError(
					[
						Problem(
							E.CYCLE,
							code,
							parent,
							"variant chain loops: " + " -> ".join(path),
							path=path,
						)
					]
				)
			seen.add(parent)
			chain.append(parent)
			item = self.catalog.items.get(parent)
		return chain

	def effective_lines(self, code: str) -> tuple[tuple[Bom, Line], ...]:
		"""(BOM written in, line) pairs that make up the product's effective BOM."""
		cached = self._effective.get(code)
		if cached is not None:
			return cached
		boms = self.catalog.boms
		lines: list[tuple[Bom, Line]] = []
		taken: set[str] = set()
		own = boms.get(code)
		if own is not None:
			lines.extend((own, line) for line in own.lines)
			taken.update(line.item for line in own.lines)
		for template in self.ancestors(code):
			bom = boms.get(template)
			if bom is None:
				continue
			inherited = [line for line in bom.lines if line.inherited and line.item not in taken]
			lines.extend((bom, line) for line in inherited)
			taken.update(line.item for line in inherited)
		result = tuple(lines)
		self._effective[code] = result
		return result

	def plan(self, roots, include_optional: bool = False):
		"""The explosion plan of ``roots``; the most recently used PLAN_CACHE_SIZE plans are kept."""
		from .explosion import Plan

		key = (tuple(roots), include_optional)
		plan = self._plans.get(key)
		if plan is None:
			plan = self._plans[key] = Plan(self, list(roots), include_optional)
			if len(self._plans) > PLAN_CACHE_SIZE:
				self._plans.popitem(last=False)
		else:
			self._plans.move_to_end(key)
		return plan

	def leaf(self, key: tuple):
		"""One shared leaf object per key (plans of many products reuse them)."""
		leaf = self._leaves.get(key)
		if leaf is None:
			from .explosion import Leaf

			item, consumable, non_stock, optional, substitutes = key
			items = self.catalog.items
			options = (item, *(code for code in substitutes if items[code].is_stock))
			limits = not (consumable or non_stock or optional) and len(options) == 1 + len(substitutes)
			leaf = self._leaves[key] = Leaf(*key, options=options, limits=limits)
		return leaf

	def children(self, product: str, include_optional: bool = False) -> list[str]:
		"""Sub-assemblies the product's build explodes into."""
		key = (product, include_optional)
		children = self._children.get(key)
		if children is None:
			uses = self.uses(product) if include_optional else self.required_uses(product)
			children = self._children[key] = [use.item for use in uses if use.subassembly]
		return children

	def has_bom(self, code: str) -> bool:
		"""Buildable: it has a BOM of its own or inherits at least one line."""
		return code in self.catalog.boms or bool(self.effective_lines(code))

	def match_variant(self, product: str, template: str) -> tuple[str | None, Problem | None]:
		"""The variant of ``template`` whose attributes agree with ``product``'s on every shared name."""
		items = self.catalog.items
		wanted = items[product].attributes
		candidates = []
		for code in self.catalog.variants(template):
			attributes = items[code].attributes
			if all(attributes[name] == wanted[name] for name in attributes.keys() & wanted.keys()):
				candidates.append(code)
		if len(candidates) == 1:
			return candidates[0], None
		shown = ", ".join(f"{name}={value}" for name, value in sorted(wanted.items())) or "none"
		if not candidates:
			return None, (
				E.NO_VARIANT_MATCH,
				f"{product}: no variant of {template} matches its attributes ({shown})",
			)
		return None, (
			E.AMBIGUOUS_VARIANT,
			f"{product}: several variants of {template} match its attributes ({shown}): "
			+ ", ".join(candidates),
		)

	def uses(self, product: str) -> tuple[Use, ...]:
		"""The product's effective lines, resolved and checked. Raises BomError listing every problem."""
		cached = self._uses.get(product)
		if cached is not None:
			return cached
		uses, problems = self.resolve(product)
		if problems:
			raise BomError(problems)
		self._uses[product] = uses
		return uses

	def required_uses(self, product: str) -> tuple[Use, ...]:
		"""``uses`` without the optional lines."""
		cached = self._required.get(product)
		if cached is None:
			cached = self._required[product] = tuple(use for use in self.uses(product) if not use.optional)
		return cached

	def resolve(self, product: str) -> tuple[tuple[Use, ...], list[Problem]]:
		"""The usable resolved lines of ``product`` and the problems of the others (for validation)."""
		catalog = self.catalog
		items = catalog.items
		if product not in items:
			return (), [Problem(E.UNKNOWN_ITEM, product, None, f"unknown item {product}")]
		problems: list[Problem] = []
		result: list[Use] = []
		is_variant = bool(items[product].variant_of)
		pairs = self.effective_lines(product)
		sources = {bom.product: bom for bom, _line in pairs}
		if product in catalog.boms:
			sources.setdefault(product, catalog.boms[product])
		for bom in sources.values():
			if bom.product not in self._bom_checked:
				self._bom_checked[bom.product] = bom_problems(catalog, bom)
			problems.extend(self._bom_checked[bom.product])
		for bom, line in pairs:
			found = line_problems(catalog, bom, line)
			if found or self._bom_checked[bom.product]:
				problems.extend(found)
				continue
			code = line.item
			component = items[code]
			if is_variant and component.has_variants:
				code, failure = self.match_variant(product, code)
				if failure is not None:
					attrs = tuple(sorted(items[product].attributes.items()))
					problems.append(
						Problem(
							failure[0], bom.product, line.item, failure[1], product=product, attributes=attrs
						)
					)
					continue
				component = items[code]
			if code == product:
				problems.append(
					Problem(
						E.SELF_REFERENCE,
						bom.product,
						line.item,
						f"BOM of {bom.product}: {product} cannot be a component of itself",
						path=(product, product),
					)
				)
				continue
			multiple = line.rounding_multiple
			if multiple is None and component.whole_number:
				multiple = ONE
			coef = line.qty / bom.quantity
			if line.attrition:
				coef = coef * (HUNDRED + line.attrition) / HUNDRED
			subassembly = not line.consumable and line.explode and not line.substitutes and self.has_bom(code)
			decimals = (
				exact_decimal(coef),
				exact_decimal(line.setup_qty),
				multiple and exact_decimal(multiple),
			)
			if None in decimals[:2] or (multiple is not None and decimals[2] is None):
				decimals = None
			result.append(
				Use(
					product=product,
					source=bom.product,
					line=line,
					item=code,
					coef=coef,
					setup=line.setup_qty,
					multiple=multiple,
					subassembly=subassembly,
					non_stock=not component.is_stock,
					decimals=decimals,
					key=(code, line.consumable, not component.is_stock, line.optional, line.substitutes),
				)
			)
		return tuple(result), problems


def effective_lines(catalog: Catalog, product: str) -> tuple[tuple[Bom, Line], ...]:
	"""The product's effective lines as (BOM the line is written in, line): its own, then inherited ones."""
	return Resolver(catalog).effective_lines(product)
