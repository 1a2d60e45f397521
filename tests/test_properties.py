"""Properties over random catalogs: capacity is the exact maximum, explosion is linear, nothing loops."""

import itertools
import math
from decimal import Decimal
from fractions import Fraction

from helpers import catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from truecraft_bom.engine import BomError, NoBomError, capacity, catalog_from_dict, explode, validate

RAW = ("R0", "R1", "R2", "R3")
NODES = ("P", "S0", "S1", "S2")  # a line may only name a node to its right: no cycles here
QTYS = ("0.1", "0.2", "0.25", "0.5", "1", "1.5", "2", "3")
SETTINGS = settings(max_examples=120, deadline=None)


def sometimes(probability_in_8):
	return st.integers(0, 7).map(lambda roll: roll < probability_in_8)


@st.composite
def trees(draw, linear=False, stocked_leaf_subassemblies=True):
	"""A scenario dict: product P over sub-assemblies S0..S2 and raw R0..R3, every line option in play.

	Without ``stocked_leaf_subassemblies`` a sub-assembly is never also taken from stock by an explode-false
	line, so drawing its stock first cannot starve such a line.
	"""
	items = {}
	for code in RAW:
		items[code] = {
			"stock": str(Decimal(draw(st.integers(0, 400))) / 10),
			"reserved": draw(st.sampled_from(["0", "0", "0", "1", "2.5"])),
			"whole_number": False if linear else draw(sometimes(2)),
			"is_stock": not draw(sometimes(1)),
		}
	for code in NODES:
		items[code] = {
			"stock": draw(st.integers(0, 5)),
			"whole_number": False if linear else draw(sometimes(2)),
		}
	boms = {}
	for position, product in enumerate(NODES):
		names = draw(
			st.lists(st.sampled_from(RAW + NODES[position + 1 :]), min_size=1, max_size=4, unique=True)
		)
		lines = []
		for name in names:
			line = {"item": name, "qty": draw(st.sampled_from(QTYS))}
			line["attrition"] = draw(st.sampled_from(["0", "0", "0", "5", "10", "12.5"]))
			if not linear:
				line["setup_qty"] = draw(st.sampled_from(["0", "0", "0", "0.5", "1", "2"]))
				line["rounding_multiple"] = draw(st.sampled_from([None, None, None, "0.5", "1", "5"]))
			line["consumable"] = draw(sometimes(1))
			line["optional"] = draw(sometimes(1))
			line["explode"] = not draw(sometimes(1)) or (name in NODES and not stocked_leaf_subassemblies)
			lines.append(line)
		boms[product] = {"quantity": draw(st.sampled_from(["1", "1", "2", "4", "5"])), "lines": lines}
	return {"items": items, "boms": boms}


def reference_explosion(data, n, use_subassembly_stock=False):
	"""An independent, naive explosion of P over the generated tree.

	Returns (need per constrained item, everything drawn per item) where constrained needs count against
	stock; sub-assembly stock drawn when asked is counted in the second mapping.
	"""
	items, boms = data["items"], data["boms"]
	demand = {code: Fraction(0) for code in NODES}
	demand["P"] = Fraction(n)
	need: dict[str, Fraction] = {}
	drawn: dict[str, Fraction] = {}
	for node in NODES:  # already in topological order
		d = demand[node]
		if use_subassembly_stock and node != "P" and d:
			take = min(d, Fraction(items[node]["stock"]))
			drawn[node] = take
			d -= take
		if not d:
			continue
		bom = boms[node]
		for line in bom["lines"]:
			if line["optional"]:
				continue
			code = line["item"]
			r = (
				Fraction(line["qty"])
				/ Fraction(bom["quantity"])
				* d
				* (1 + Fraction(line["attrition"]) / 100)
			)
			r += Fraction(line.get("setup_qty", "0"))
			multiple = line.get("rounding_multiple")
			if multiple is None and items[code]["whole_number"]:
				multiple = 1
			if multiple is not None:
				r = math.ceil(r / Fraction(multiple)) * Fraction(multiple)
			if code in NODES and line["explode"] and not line["consumable"]:
				demand[code] += r
			elif not line["consumable"] and items[code].get("is_stock", True):
				need[code] = need.get(code, 0) + r
	return need, drawn


def available(item):
	return max(Fraction(0), Fraction(str(item["stock"])) - Fraction(item.get("reserved", "0")))


def reference_feasible(data, n, use_subassembly_stock=False):
	need, drawn = reference_explosion(data, n, use_subassembly_stock)
	items = data["items"]
	return all(need.get(code, 0) + drawn.get(code, 0) <= available(items[code]) for code in need)


def engine_feasible(shop, data, n):
	"""n fits when every stock, non-consumable requirement of explode(n) fits available stock."""
	if n == 0:
		return True
	for requirement in explode(shop, "P", n).requirements:
		if requirement.consumable or requirement.non_stock:
			continue
		if Fraction(requirement.qty) > available(data["items"][requirement.item]):
			return False
	return True


@SETTINGS
@given(trees())
def test_capacity_is_feasible_and_one_more_is_not(data):
	shop = catalog_from_dict(data)
	result = capacity(shop, "P")
	constrained, _drawn = reference_explosion(data, 1)
	if not constrained:
		assert result.capacity is None
		return
	n = result.capacity
	assert engine_feasible(shop, data, n)
	assert not engine_feasible(shop, data, n + 1)
	assert reference_feasible(data, n)
	assert not reference_feasible(data, n + 1)
	need, _drawn = reference_explosion(data, n + 1)
	short = {code for code, qty in need.items() if qty > available(data["items"][code])}
	assert set(result.limiting) == short


@SETTINGS
@given(trees(stocked_leaf_subassemblies=False))
def test_capacity_with_subassembly_stock_is_exact(data):
	shop = catalog_from_dict(data)
	result = capacity(shop, "P", use_subassembly_stock=True)
	if not reference_explosion(data, 1)[0]:
		assert result.capacity is None
		return
	n = result.capacity
	assert reference_feasible(data, n, use_subassembly_stock=True)
	assert not reference_feasible(data, n + 1, use_subassembly_stock=True)
	assert n >= capacity(shop, "P").capacity


@SETTINGS
@given(trees(), st.sampled_from([1, 2, 3, 7, 12]))
def test_explosion_matches_the_reference(data, n):
	shop = catalog_from_dict(data)
	need, _drawn = reference_explosion(data, n)
	got = {
		r.item: Fraction(r.qty)
		for r in explode(shop, "P", n).requirements
		if not r.consumable and not r.non_stock
	}
	assert got == {code: qty for code, qty in need.items() if qty}


@SETTINGS
@given(trees(linear=True), st.sampled_from(["0.5", "1", "3"]), st.sampled_from([2, 3, 10]))
def test_explosion_without_setup_or_rounding_is_linear(data, qty, factor):
	shop = catalog_from_dict(data)
	base = {(r.item, r.consumable): r.qty for r in explode(shop, "P", qty).requirements}
	scaled = {(r.item, r.consumable): r.qty for r in explode(shop, "P", Decimal(qty) * factor).requirements}
	assert scaled == {key: value * factor for key, value in base.items()}


# Substitutes: brute force over every set of lines (Hall's condition decides feasibility).

POOL = ("A", "B", "C", "D")


@st.composite
def substitute_catalogs(draw):
	items = {code: {"stock": draw(st.integers(0, 12))} for code in POOL}
	needs = []  # (options, qty per unit)
	p_lines = []
	for code in draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True)):
		others = [other for other in POOL if other != code]
		substitutes = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
		qty = draw(st.integers(1, 3))
		p_lines.append({"item": code, "qty": qty, "substitutes": substitutes})
		needs.append(((code, *substitutes), qty))
	boms = {"P": {"lines": p_lines}}
	rigid = draw(st.lists(st.sampled_from(POOL), max_size=2, unique=True))
	if rigid:
		boms["P"]["lines"].append({"item": "S", "qty": 1})
		boms["S"] = {"lines": [{"item": code, "qty": 1} for code in rigid]}
		needs.extend(((code,), 1) for code in rigid)
	return {"items": items, "boms": boms}, needs


def hall_feasible(needs, stock, n):
	"""Every set of needs fits in the stock of the items it may draw on."""
	for size in range(1, len(needs) + 1):
		for subset in itertools.combinations(needs, size):
			wanted = sum(qty * n for _options, qty in subset)
			reachable = {code for options, _qty in subset for code in options}
			if wanted > sum(stock[code] for code in reachable):
				return False
	return True


@settings(max_examples=200, deadline=None)
@given(substitute_catalogs())
def test_substitute_capacity_is_the_true_optimum(drawn):
	data, needs = drawn
	stock = {code: fields["stock"] for code, fields in data["items"].items()}
	n = capacity(catalog(data["items"], data["boms"]), "P").capacity
	assert hall_feasible(needs, stock, n)
	assert not hall_feasible(needs, stock, n + 1)


# Inheritance: lines only flow down the variant chain.

LEVELS = ("T0", "T1", "T2", "T3")  # T1 is a variant of T0, T2 of T1 ...


@st.composite
def chains(draw):
	depth = draw(st.integers(2, len(LEVELS)))
	items = {}
	boms = {}
	for level, code in enumerate(LEVELS[:depth]):
		items[code] = {
			"has_variants": level < depth - 1,
			**({"variant_of": LEVELS[level - 1]} if level else {}),
		}
		if draw(st.booleans()) or level == 0:
			names = draw(st.lists(st.sampled_from(RAW), min_size=1, max_size=4, unique=True))
			boms[code] = {
				"quantity": draw(st.sampled_from(["1", "2", "4"])),
				"lines": [
					{"item": name, "qty": draw(st.sampled_from(QTYS)), "inherited": draw(st.booleans())}
					for name in names
				],
			}
	items.update({code: {} for code in RAW})
	return depth, {"items": items, "boms": boms}


def expected_lines(data, level):
	"""Own lines, then inherited lines of each template nearest first; the first line per item wins."""
	boms = data["boms"]
	lines = {}
	for distance, code in enumerate(reversed(LEVELS[: level + 1])):
		bom = boms.get(code)
		if bom is None:
			continue
		for line in bom["lines"]:
			if (distance == 0 or line["inherited"]) and line["item"] not in lines:
				lines[line["item"]] = Fraction(line["qty"]) / Fraction(bom["quantity"])
	return lines


@SETTINGS
@given(chains())
def test_effective_lines_follow_the_chain_downwards_only(drawn):
	depth, data = drawn
	shop = catalog_from_dict(data)
	for level, code in enumerate(LEVELS[:depth]):
		expected = expected_lines(data, level)
		if not expected:
			try:
				explode(shop, code, 1)
			except NoBomError:
				continue
			raise AssertionError(f"{code} has no lines but explodes")
		got = {r.item: Fraction(r.qty) for r in explode(shop, code, 1).requirements}
		assert got == expected
		own_and_above = {
			line["item"] for c in LEVELS[: level + 1] for line in data["boms"].get(c, {}).get("lines", [])
		}
		assert set(got) <= own_and_above  # nothing from a variant's BOM


# Cycles: random graphs are reported by validate and never make explode loop.

GRAPH = ("N0", "N1", "N2", "N3", "N4")


def reaches_cycle(edges, start):
	"""Whether a walk from start can enter a cycle (plain DFS over the edge sets)."""
	state = {}

	def visit(node):
		state[node] = "open"
		for child in edges[node]:
			if state.get(child) == "open":
				return True
			if child not in state and visit(child):
				return True
		state[node] = "done"
		return False

	return visit(start)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GRAPH), st.sampled_from(GRAPH)), max_size=9, unique=True))
def test_random_graphs_with_cycles_are_reported_and_never_loop(pairs):
	edges = {
		node: sorted({child for parent, child in pairs if parent == node and child != node}) for node in GRAPH
	}
	boms = {
		node: {"lines": [{"item": "M", "qty": 1}] + [{"item": c, "qty": 1} for c in edges[node]]}
		for node in GRAPH
	}
	shop = catalog({"M": {"stock": 100}}, boms)
	has_cycle = any(reaches_cycle(edges, node) for node in GRAPH)
	problems = validate(shop)
	assert all(p.code == "cycle" for p in problems)
	assert bool(problems) == has_cycle
	for problem in problems:
		path = problem.data["path"]
		assert path[0] == path[-1] and len(path) >= 3
		assert all(b in edges[a] for a, b in itertools.pairwise(path))
		assert " → ".join(path) in problem.message
	for node in GRAPH:
		if reaches_cycle(edges, node):
			for operation in (
				lambda node=node: explode(shop, node, 1),
				lambda node=node: capacity(shop, node),
			):
				try:
					operation()
				except BomError as error:
					[problem] = error.problems
					assert problem.code == "cycle"
					assert all(b in edges[a] for a, b in itertools.pairwise(problem.data["path"]))
				else:
					raise AssertionError(f"{node} reaches a cycle but explodes")
		else:
			assert explode(shop, node, 1).requirements[0].item == "M"
			assert capacity(shop, node).capacity is not None
