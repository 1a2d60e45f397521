"""Validation: every problem of a catalog's BOMs at once, each with a code and a message a person understands."""

from __future__ import annotations

from . import errors as E
from .errors import BomError, Problem
from .model import Catalog
from .resolve import Resolver, bom_problems, line_problems, resolver


def validate(catalog: Catalog, products=None) -> list[Problem]:
	"""Problems of the BOMs of ``products`` (default: all) and of everything they reach.

	Codes: cycle, self_reference, duplicate_line, bad_quantity, bad_overage, unknown_item, self_substitute,
	no_variant_match, ambiguous_variant.
	"""
	resolved = resolver(catalog)
	problems: list[Problem] = []

	def report(problem: Problem):
		if problem not in problems:
			problems.append(problem)

	scope = _scope(catalog, resolved, products)
	for product in sorted(scope & catalog.boms.keys()):
		bom = catalog.boms[product]
		for problem in bom_problems(catalog, bom):
			report(problem)
		seen: set[str] = set()
		for line in bom.lines:
			for problem in line_problems(catalog, bom, line):
				report(problem)
			if line.item == product:
				report(Problem(E.SELF_REFERENCE, product, line.item, {"product": product}))
			if line.item in seen:
				report(Problem(E.DUPLICATE_LINE, product, line.item))
			seen.add(line.item)
			if line.item in line.substitutes:
				report(Problem(E.SELF_SUBSTITUTE, product, line.item))

	# resolution of every buildable product: variant chains, inherited lines, attribute matching
	edges: dict[str, list[str]] = {}
	for product in sorted(scope & catalog.items.keys()):  # a BOM of an unknown item is reported above
		try:
			if not resolved.has_bom(product):
				continue
			uses, found = resolved.resolve(product)
		except BomError as error:
			for problem in error.problems:
				report(problem)
			continue
		for problem in found:
			report(problem)
		edges[product] = [use.item for use in uses if use.subassembly]

	for cycle in _cycles(edges):
		report(Problem(E.CYCLE, cycle[0], cycle[1], {"path": cycle}))
	return problems


def _scope(catalog: Catalog, resolved: Resolver, products) -> set[str]:
	"""Products to check: all, or the given ones with everything their lines reach and every variant of them."""
	if products is None:
		return set(catalog.items) | set(catalog.boms)
	scope: set[str] = set()
	frontier = list(products)
	while frontier:
		code = frontier.pop()
		if code in scope:
			continue
		scope.add(code)
		frontier.extend(catalog.variants(code))
		try:
			frontier.extend(line.item for _bom, line in resolved.effective_lines(code))
		except BomError:
			pass
	return scope


def _cycles(edges: dict[str, list[str]]) -> list[tuple[str, ...]]:
	"""One cycle (as a closed path) per strongly connected component that loops (Tarjan, iterative)."""
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	on_stack: set[str] = set()
	stack: list[str] = []
	components: list[list[str]] = []
	counter = 0
	for start in sorted(edges):
		if start in index:
			continue
		work = [(start, iter(edges.get(start, ())))]
		index[start] = low[start] = counter
		counter += 1
		stack.append(start)
		on_stack.add(start)
		while work:
			node, children = work[-1]
			child = next(children, None)
			if child is not None:
				if child not in index:
					index[child] = low[child] = counter
					counter += 1
					stack.append(child)
					on_stack.add(child)
					work.append((child, iter(edges.get(child, ()))))
				elif child in on_stack:
					low[node] = min(low[node], index[child])
				continue
			work.pop()
			if work:
				parent = work[-1][0]
				low[parent] = min(low[parent], low[node])
			if low[node] == index[node]:
				component = []
				while True:
					member = stack.pop()
					on_stack.discard(member)
					component.append(member)
					if member == node:
						break
				if len(component) > 1:
					components.append(component)
	cycles = []
	for component in components:
		members = set(component)
		first = min(members)
		# shortest way back to the first member inside the component
		previous = {first: None}
		frontier = [first]
		closing = None
		while frontier and closing is None:
			following = []
			for node in frontier:
				for child in edges.get(node, ()):
					if child == first:
						closing = node
						break
					if child in members and child not in previous:
						previous[child] = node
						following.append(child)
				if closing is not None:
					break
			frontier = following
		path = [first]
		node = closing
		while node is not None and node != first:
			path.append(node)
			node = previous[node]
		cycle = (first, *reversed(path[1:]), first)
		cycles.append(cycle)
	return sorted(cycles)
