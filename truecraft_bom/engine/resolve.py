"""Effective BOM lines: inheritance down the variant chain and attribute matching, checked once per product.

A product's effective lines are its own BOM's lines plus the ``inherited`` lines of its templates'
BOMs (nearest template first); an own line, or a nearer template's, overrides a farther one for the same
item code. A line whose item is a template resolves, for a variant product, to the one variant of that
template whose attributes agree with the product's.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple

from . import errors as E
from .errors import BomError, Problem
from .model import Bom, Catalog, Defect, Line
from .quantity import EXACT, NOT_EXACT, ONE, ZERO, money
from .rules import BATCH_QUANTITY_LABEL, LINE_RULES, NOT_A_NUMBER, NOT_POSITIVE, QTY_LABEL, SCRAP_QTY_LABEL

_NUMERIC_RULES = tuple(rule for rule in LINE_RULES if rule.numeric)
# a line rule left at its default (the very object: Line keeps it) needs no bounds check
assert all(rule.violation(rule.default) is None for rule in _NUMERIC_RULES)
_DECIMAL_ZERO = Decimal(0)
_DECIMAL_ONE = Decimal(1)


class Arithmetic(NamedTuple):
	"""A build of d units of the parent needs ``coef * d + setup``, rounded up to ``multiple`` when set."""

	coef: object
	setup: object
	multiple: object | None


class Use(NamedTuple):
	"""One effective line of ``product``, with its item resolved and its arithmetic prepared.

	A build of d units of ``product`` needs ``coef * d + setup`` of ``item`` (rounded up to ``multiple``).
	(A named tuple: twenty thousand of them are made for a shop's catalog, at C speed.)
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

	@property
	def consumable(self) -> bool:
		return self.line.consumable

	@property
	def optional(self) -> bool:
		return self.line.optional

	@property
	def substitutes(self) -> tuple[str, ...]:
		return self.line.substitutes


def resolver(catalog: Catalog) -> Resolver:
	"""The resolution of the catalog's structure, made once and shared with its ``with_stock`` copies."""
	return catalog.derived("resolver", Resolver)


def line_problems(catalog: Catalog, bom: Bom, line: Line) -> list[Problem]:
	"""Problems of one line that make it unusable (shared by validation and explosion)."""
	problems = (
		[Problem(defect.code, bom.product, line.item, defect.data) for defect in line.defects]
		if line.defects
		else []
	)

	def add(code: str, **data):
		problems.append(Problem(code, bom.product, line.item, data))

	if line.item not in catalog.items:
		add(E.UNKNOWN_ITEM, reason="unknown_item.component")
	for substitute in line.substitutes:
		if substitute not in catalog.items:
			add(E.UNKNOWN_ITEM, reason="unknown_item.substitute", substitute=substitute)
	if line.qty is None or line.qty.numerator <= 0:
		bad_qty = _bad_quantity("line", line.qty, line.defects, QTY_LABEL)
		if bad_qty:
			add(E.BAD_QUANTITY, **bad_qty)
	for rule in _NUMERIC_RULES:
		value = getattr(line, rule.name)
		if value is rule.default:
			continue
		reason = rule.violation(value)
		if reason is not None:
			bounds = {key: _shown(bound) for key, bound in rule.bounds().items()}
			add(
				rule.problem,
				reason=f"line.{reason}",
				field=rule.name,
				label=rule.label,
				value=_shown(value),
				unit=rule.unit,
				**bounds,
			)
	return problems


def bom_problems(catalog: Catalog, bom: Bom) -> list[Problem]:
	"""Problems of the BOM header and its scrap outputs."""
	product = bom.product
	problems = [Problem(defect.code, product, None, defect.data) for defect in bom.defects]
	if product not in catalog.items:
		problems.append(Problem(E.UNKNOWN_ITEM, product, None, {"reason": "unknown_item.product"}))
	bad_quantity = _bad_quantity("bom", bom.quantity, bom.defects, BATCH_QUANTITY_LABEL, "quantity")
	if bad_quantity:
		problems.append(Problem(E.BAD_QUANTITY, product, None, bad_quantity))
	for scrap in bom.scrap:
		problems.extend(Problem(defect.code, product, scrap.item, defect.data) for defect in scrap.defects)
		if scrap.item not in catalog.items:
			problems.append(Problem(E.UNKNOWN_ITEM, product, scrap.item, {"reason": "unknown_item.scrap"}))
		bad_qty = _bad_quantity("scrap", scrap.qty, scrap.defects, SCRAP_QTY_LABEL)
		if bad_qty:
			problems.append(Problem(E.BAD_QUANTITY, product, scrap.item, bad_qty))
	return problems


def _bad_quantity(where: str, qty, defects: tuple[Defect, ...], label: str, field: str = "qty") -> dict:
	"""The data of a bad_quantity problem when ``qty`` is not above zero; {} when it is fine or a defect
	already reports it."""
	if qty is None:
		if any(defect.data.get("field") == field for defect in defects):
			return {}
		reason, value = NOT_A_NUMBER, None
	elif qty <= 0:
		reason, value = NOT_POSITIVE, _shown(qty)
	else:
		return {}
	return {"reason": f"{where}.{reason}", "field": field, "label": label, "value": value}


def _shown(value: Fraction):
	return money(value)


class Resolver:
	"""Effective lines per product of one catalog structure: resolved, checked and kept."""

	def __init__(self, catalog: Catalog):
		self.catalog = catalog
		self._effective: dict[str, tuple[tuple[Bom, Line], ...]] = {}
		self._resolved: dict[str, tuple[tuple[Use, ...], tuple[Problem, ...]]] = {}
		self._bom_problems: dict[str, list[Problem]] = {}
		# item code -> the products whose memo above read it (its flags, its BOM, its variants): what a change
		# of the item makes stale. Shared along carried resolvers: a reader that no longer reads an item only
		# makes a later change of it reach a little further than needed, never less.
		self._readers: dict[str, set[str]] = {}
		self._stale: tuple[object, frozenset[str], set[str]] | None = None

	def carried(self, catalog: Catalog, changed: frozenset[str]) -> Resolver:
		"""This memo for ``catalog``, a structure that differs only in the ``changed`` items and the BOMs of
		the ``changed`` products: what the change cannot reach is kept, the rest is resolved again when
		asked."""
		stale = self.stale(catalog, changed)
		new = Resolver(catalog)
		new._effective = {code: found for code, found in self._effective.items() if code not in stale}
		new._resolved = {code: found for code, found in self._resolved.items() if code not in stale}
		new._bom_problems = {code: found for code, found in self._bom_problems.items() if code not in stale}
		new._readers = self._readers
		return new

	def stale(self, catalog: Catalog, changed: frozenset[str]) -> set[str]:
		"""The codes whose memo a change of ``changed`` (becoming ``catalog``) may alter: the changed codes,
		their templates (a new or changed variant changes what a template line matches), and whatever read
		any of them, at any depth (a product reads its components)."""
		if self._stale is not None and self._stale[0] is catalog and self._stale[1] == changed:
			return self._stale[2]
		stale = set(changed)
		for items in (self.catalog.items, catalog.items):
			for code in changed:
				item = items.get(code)
				if item is not None and item.variant_of:
					stale.add(item.variant_of)
		readers = self._readers
		frontier = list(stale)
		while frontier:
			for reader in readers.get(frontier.pop(), ()):
				if reader not in stale:
					stale.add(reader)
					frontier.append(reader)
		self._stale = (catalog, changed, stale)
		return stale

	def _read(self, reader: str, codes) -> None:
		readers = self._readers
		for code in codes:
			found = readers.get(code)
			if found is None:
				readers[code] = {reader}
			else:
				found.add(reader)

	def ancestors(self, code: str) -> list[str]:
		"""Templates up the variant_of chain, nearest first. A loop in the chain is a cycle problem."""
		chain: list[str] = []
		seen = {code}
		item = self.catalog.items.get(code)
		while item is not None and item.variant_of:
			parent = item.variant_of
			if parent in seen:
				path = (code, *chain, parent)
				raise BomError([Problem(E.CYCLE, code, parent, {"reason": "cycle.variants", "path": path})])
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
		ancestors = self.ancestors(code)
		for template in ancestors:
			bom = boms.get(template)
			if bom is None:
				continue
			inherited = [line for line in bom.lines if line.inherited and line.item not in taken]
			lines.extend((bom, line) for line in inherited)
			taken.update(line.item for line in inherited)
		result = tuple(lines)
		self._effective[code] = result
		self._read(code, (code, *ancestors))
		return result

	def has_bom(self, code: str) -> bool:
		"""Buildable: it has a BOM of its own or inherits at least one line."""
		if code in self.catalog.boms:
			return True
		item = self.catalog.items.get(code)
		if item is not None and not item.variant_of:
			return False  # no BOM, and no template to inherit lines from (most materials)
		return bool(self.effective_lines(code))

	def matching_variants(self, product: str, template: str) -> list[str]:
		"""Variants of ``template`` whose attributes agree with ``product``'s on every name both carry."""
		items = self.catalog.items
		wanted = items[product].attributes
		return [
			code
			for code in self.catalog.variants(template)
			if all(
				items[code].attributes[name] == wanted[name]
				for name in items[code].attributes.keys() & wanted.keys()
			)
		]

	def uses(self, product: str) -> tuple[Use, ...]:
		"""The product's effective lines, resolved and checked. Raises BomError listing every problem."""
		uses, problems = self.resolve(product)
		if problems:
			raise BomError(problems)
		return uses

	def resolve(self, product: str) -> tuple[tuple[Use, ...], tuple[Problem, ...]]:
		"""The usable resolved lines of ``product`` and the problems of the others (for validation)."""
		cached = self._resolved.get(product)
		if cached is None:
			cached = self._resolved[product] = self._resolve(product)
		return cached

	def _resolve(self, product: str) -> tuple[tuple[Use, ...], tuple[Problem, ...]]:
		catalog = self.catalog
		items = catalog.items
		if product not in items:
			return (), (Problem(E.UNKNOWN_ITEM, product, None, {"reason": "unknown_item.product"}),)
		problems: list[Problem] = []
		result: list[Use] = []
		is_variant = bool(items[product].variant_of)
		pairs = self.effective_lines(product)
		sources = {bom.product: bom for bom, _line in pairs}
		if product in catalog.boms:
			sources.setdefault(product, catalog.boms[product])
		for bom in sources.values():
			problems.extend(self._checked(bom))
		for bom, line in pairs:
			found = line_problems(catalog, bom, line)
			if found or self._checked(bom):
				problems.extend(found)
				continue
			code = line.item
			component = items[code]
			if is_variant and component.has_variants:
				candidates = self.matching_variants(product, code)
				if len(candidates) != 1:
					attributes = tuple(sorted(items[product].attributes.items()))
					data = {"product": product, "attributes": attributes}
					if candidates:
						problems.append(
							Problem(
								E.AMBIGUOUS_VARIANT,
								bom.product,
								line.item,
								{**data, "candidates": candidates},
							)
						)
					else:
						problems.append(Problem(E.NO_VARIANT_MATCH, bom.product, line.item, data))
					continue
				code = candidates[0]
				component = items[code]
			if code == product:
				problems.append(Problem(E.SELF_REFERENCE, bom.product, line.item, {"product": product}))
				continue
			result.append(self._use(product, bom, line, code, component))
		read = {product, *sources}
		for bom in sources.values():
			read.update(line.item for line in bom.lines)
			read.update(scrap.item for scrap in bom.scrap)
			for line in bom.lines:
				read.update(line.substitutes)
		read.update(use[3] for use in result)  # the variants template lines resolved to
		self._read(product, read)
		return tuple(result), tuple(problems)

	def _checked(self, bom: Bom) -> list[Problem]:
		problems = self._bom_problems.get(bom.product)
		if problems is None:
			problems = self._bom_problems[bom.product] = bom_problems(self.catalog, bom)
		return problems

	def _use(self, product: str, bom: Bom, line: Line, code: str, component) -> Use:
		"""The line's Use."""
		multiple = line.rounding_multiple
		if multiple is None and component.whole_number:
			multiple = ONE
		# coef = qty / quantity * (100 + attrition) / 100, in integers: one Fraction made, not four
		qty, quantity, attrition = line.qty, bom.quantity, line.attrition
		if attrition is ZERO:  # (a line left at the default keeps this very object)
			attrition = None
		if attrition or (quantity is not ONE and quantity.numerator != quantity.denominator):
			numerator = qty.numerator * quantity.denominator
			denominator = qty.denominator * quantity.numerator
			if attrition:
				numerator *= 100 * attrition.denominator + attrition.numerator
				denominator *= 100 * attrition.denominator
			coef = Fraction(numerator, denominator)
		else:
			coef = qty
		# in Use's order: product, source, line, item, coef, setup, multiple, subassembly, non_stock
		return Use(
			product,
			bom.product,
			line,
			code,
			coef,
			line.setup_qty,
			multiple,
			not line.consumable and line.explode and not line.substitutes and self.has_bom(code),
			not component.is_stock,
		)


def decimal_arithmetic(use: Use) -> Arithmetic | None:
	"""The use's arithmetic (coef, setup, multiple) in exact Decimals, or None when a figure has no finite
	expansion."""
	try:
		with localcontext(EXACT):  # a division that would round raises
			return Arithmetic(_decimal(use.coef), _decimal(use.setup), _decimal(use.multiple))
	except NOT_EXACT:
		return None


def _decimal(value: Fraction | None) -> Decimal | None:
	if value is None:
		return None
	if value is ZERO:
		return _DECIMAL_ZERO
	if value is ONE:
		return _DECIMAL_ONE
	if value.denominator == 1:
		return Decimal(value.numerator)
	return Decimal(value.numerator) / Decimal(value.denominator)


def effective_lines(catalog: Catalog, product: str) -> tuple[tuple[Bom, Line], ...]:
	"""The product's effective lines as (BOM the line is written in, line): its own, then inherited ones."""
	return resolver(catalog).effective_lines(product)
