"""A structure change keeps the memo of what it cannot reach (``Catalog.changed``), and every answer is the
one a fresh catalog gives: explosion, capacity, cost, validation, for every product, after any change."""

from hypothesis import given, settings
from hypothesis import strategies as st

from truecraft_bom.engine import (
	Bom,
	Catalog,
	EngineError,
	Item,
	Line,
	capacities,
	cost,
	explode,
	plans,
	resolver,
	validate,
)

RAW = ("R0", "R1", "R2", "R3", "R4")
SUBS = ("S0", "S1", "S2")  # a line may only name a node to its right: no cycles unless a change makes one
TOPS = ("P0", "P1")
COLOURS = ("red", "blue")


def base_items():
	items = [Item(code, stock=40 + 7 * n, whole_number=n % 2 == 0) for n, code in enumerate(RAW)]
	items.append(Item("LABOUR", is_stock=False, rate=20))
	items += [Item(code, whole_number=True, stock=n) for n, code in enumerate(SUBS)]
	items += [Item(code, whole_number=True) for code in TOPS]
	# a template with two variants that inherit its lines, and a coloured material template
	items.append(Item("MUG", has_variants=True, whole_number=True))
	items += [
		Item(f"MUG-{colour}", variant_of="MUG", attributes={"Colour": colour}, whole_number=True)
		for colour in COLOURS
	]
	items.append(Item("GLAZE", has_variants=True))
	items += [
		Item(f"GLAZE-{colour}", variant_of="GLAZE", attributes={"Colour": colour}, stock=30)
		for colour in COLOURS
	]
	return items


lines = st.builds(
	Line,
	st.sampled_from((*RAW, "LABOUR")),
	qty=st.sampled_from(["0.5", "1", "1.5", "2", "3"]),
	setup_qty=st.sampled_from([0, 0, 1]),
	attrition=st.sampled_from([0, 0, 5]),
	rounding_multiple=st.sampled_from([None, None, 2]),
	consumable=st.booleans().map(lambda b: b and False),
	optional=st.sampled_from([False, False, False, True]),
	substitutes=st.sampled_from([(), (), ("R4",), ("R3", "R4")]),
)


@st.composite
def boms(draw, product: str, below: tuple[str, ...], inherited=False):
	own = draw(st.lists(lines, min_size=1, max_size=3, unique_by=lambda line: line.item))
	subs = draw(st.lists(st.sampled_from(below), max_size=2, unique=True)) if below else []
	lines_ = own + [Line(code, qty=draw(st.sampled_from([1, 2]))) for code in subs]
	if inherited:
		lines_ = [Line(line.item, qty=line.qty, inherited=True) for line in lines_]
		lines_.append(Line("GLAZE", qty="0.5", inherited=True))
	return Bom(product, tuple(lines_), quantity=draw(st.sampled_from([1, 1, 2])))


@st.composite
def catalogs(draw):
	found = {}
	for position, code in enumerate(SUBS):
		found[code] = draw(boms(code, SUBS[position + 1 :]))
	for code in TOPS:
		found[code] = draw(boms(code, SUBS))
	found["MUG"] = draw(boms("MUG", SUBS, inherited=True))
	return {item.code: item for item in base_items()}, found


@st.composite
def changes(draw, items, found):
	"""(items, boms, changed codes) after one edit of the kinds a site makes."""
	items, found = dict(items), dict(found)
	kind = draw(st.sampled_from(["bom", "bom", "item", "variant", "attribute", "cycle", "drop"]))
	if kind == "bom":
		code = draw(st.sampled_from(sorted(found)))
		below = SUBS[SUBS.index(code) + 1 :] if code in SUBS else SUBS
		found[code] = draw(boms(code, below, inherited=code == "MUG"))
		return items, found, {code}
	if kind == "item":
		code = draw(st.sampled_from(RAW + SUBS))
		item = items[code]
		items[code] = Item(
			code, is_stock=draw(st.booleans()), stock=item.stock, whole_number=not item.whole_number
		)
		return items, found, {code}
	if kind == "variant":
		items["MUG-green"] = Item("MUG-green", variant_of="MUG", attributes={"Colour": "green"})
		changed = {"MUG-green"}
		if draw(st.booleans()):
			items["GLAZE-green"] = Item("GLAZE-green", variant_of="GLAZE", attributes={"Colour": "green"})
			changed.add("GLAZE-green")
		return items, found, changed
	if kind == "attribute":
		items["GLAZE-blue"] = Item("GLAZE-blue", variant_of="GLAZE", attributes={"Colour": "red"}, stock=30)
		return items, found, {"GLAZE-blue"}
	if kind == "cycle" and "S2" in found:
		bom = found["S2"]
		found["S2"] = Bom("S2", (*bom.lines, Line("S0")), quantity=bom.quantity)
		return items, found, {"S2"}
	code = draw(st.sampled_from(sorted(found)))  # a BOM no longer default
	del found[code]
	return items, found, {code}


def answers(catalog: Catalog) -> dict:
	"""Everything a site asks of a structure, per product, errors included."""
	found = {}
	products = sorted(set(catalog.boms) | {"MUG-red", "MUG-blue", "MUG-green"})
	for code in products:
		if code not in catalog.items:
			continue
		try:
			exploded = explode(catalog, code, 3, include_optional=True)
			found[code, "explode"] = (
				[(r.item, r.qty, r.consumable, r.non_stock) for r in exploded.requirements],
				exploded.scrap,
				exploded.builds,
				cost(catalog, code, 2).as_dict(),
			)
		except EngineError as error:
			found[code, "explode"] = type(error).__name__, str(error)
		found[code, "validate"] = [str(problem) for problem in validate(catalog, [code])]
	results, failures = capacities(catalog)
	found["capacity"] = {code: (c.capacity, c.limiting) for code, c in results.items()}
	found["failures"] = {code: type(error).__name__ for code, error in failures.items()}
	return found


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_carried_memo_gives_the_answers_of_a_fresh_catalog(data):
	items, found = data.draw(catalogs())
	before = Catalog(items, found)
	answers(before)  # every product resolved and compiled
	steps = data.draw(st.integers(1, 3))
	for _ in range(steps):  # a chain of changes, each carrying the memo of the last
		items, found, changed = data.draw(changes(items, found))
		after = before.changed(items, found, changed)
		assert answers(after) == answers(Catalog(items, found))
		before = after


def test_a_change_keeps_what_it_cannot_reach():
	items = {item.code: item for item in base_items()}
	found = {
		"S0": Bom("S0", (Line("R0", qty=2),)),
		"S1": Bom("S1", (Line("R1"), Line("S0"))),
		"P0": Bom("P0", (Line("S1"), Line("R2"))),
		"P1": Bom("P1", (Line("R3"),)),
		"MUG": Bom("MUG", (Line("R4", inherited=True), Line("GLAZE", qty="0.5", inherited=True))),
	}
	before = Catalog(items, found)
	answers(before)
	compiled = plans(before)
	kept = {code: compiled.node(code) for code in ("S0", "S1", "P0", "P1", "MUG-red")}

	# P1's BOM changes: nothing else is resolved or compiled again
	found = {**found, "P1": Bom("P1", (Line("R3", qty=2),))}
	after = before.changed(items, found, {"P1"})
	assert resolver(after).stale(after, frozenset({"P1"})) == {"P1"}
	for code in ("S0", "S1", "P0", "MUG-red"):
		assert plans(after).node(code) is kept[code]
	assert plans(after).node("P1") is not kept["P1"]
	assert [(r.item, r.qty) for r in explode(after, "P1", 1).requirements] == [("R3", 2)]

	# R0 changes: what is built from it, at any depth, is compiled again; the rest is kept
	items = {**items, "R0": Item("R0", whole_number=True)}
	again = after.changed(items, found, {"R0"})
	assert resolver(again).stale(again, frozenset({"R0"})) == {"R0", "S0", "S1", "P0"}
	assert plans(again).node("P1") is plans(after).node("P1")
	assert plans(again).node("MUG-red") is kept["MUG-red"]

	# a new glaze variant reaches the template and every mug, not the soap-like products
	items = {**items, "GLAZE-green": Item("GLAZE-green", variant_of="GLAZE", attributes={"Colour": "green"})}
	third = again.changed(items, found, {"GLAZE-green"})
	stale = resolver(third).stale(third, frozenset({"GLAZE-green"}))
	assert {"GLAZE", "MUG-red", "MUG-blue"} <= stale
	assert stale.isdisjoint({"S0", "S1", "P0", "P1"})
