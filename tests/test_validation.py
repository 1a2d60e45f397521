"""Validation: every problem code of docs/design.md, with its BOM, line and a readable message, all at once."""

import pytest
from helpers import bom, catalog

from truecraft_bom.engine import BomError, capacity, explode, validate


def codes(problems):
	return sorted((p.code, p.bom, p.item) for p in problems)


def only(problems, code):
	found = [p for p in problems if p.code == code]
	assert found, f"no {code} in {problems}"
	return found


def test_clean_catalog_has_no_problems():
	assert validate(catalog(boms={"P": bom(("S", 1), ("M", 2)), "S": bom(("M", 1))})) == []


def test_cycle_names_its_path():
	shop = catalog(boms={"A": bom(("B", 1)), "B": bom(("C", 1), ("M", 1)), "C": bom(("A", 1))})
	[problem] = validate(shop)
	assert problem.code == "cycle"
	assert problem.data["path"] == ("A", "B", "C", "A")
	assert "The BOMs form a cycle: A → B → C → A" in problem.message


def test_two_separate_cycles_are_both_reported():
	shop = catalog(
		boms={
			"A": bom(("B", 1)),
			"B": bom(("A", 1)),
			"X": bom(("Y", 1)),
			"Y": bom(("X", 1)),
			"OK": bom(("M", 1)),
		}
	)
	assert sorted(p.data["path"] for p in validate(shop)) == [("A", "B", "A"), ("X", "Y", "X")]


def test_self_reference():
	shop = catalog(boms={"P": bom(("P", 1), ("M", 1))})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("self_reference", "P", "P")
	assert "P" in problem.message


def test_duplicate_line():
	shop = catalog(boms={"P": bom(("M", 1), ("N", 1), ("M", 2))})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("duplicate_line", "P", "M")
	assert "M" in problem.message


@pytest.mark.parametrize("qty", [0, -1, "abc", "", None, [1], "NaN", "Infinity"])
def test_bad_line_quantity(qty):
	line = {"item": "M", "qty": qty}
	shop = catalog(boms={"P": {"quantity": 1, "lines": [line]}})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("bad_quantity", "P", "M")
	assert "P" in problem.message and "M" in problem.message


@pytest.mark.parametrize("quantity", [0, -2, "dozen", None])
def test_bad_batch_quantity(quantity):
	shop = catalog(boms={"P": {"quantity": quantity, "lines": [{"item": "M", "qty": 1}]}})
	[problem] = validate(shop)
	assert (problem.code, problem.bom) == ("bad_quantity", "P")
	assert "Batch Quantity" in problem.message


def test_bad_rounding_multiple_is_a_bad_quantity():
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, "rounding_multiple": 0})})
	assert codes(validate(shop)) == [("bad_quantity", "P", "M")]


@pytest.mark.parametrize(
	"line",
	[
		{"overage": "lots"},
		{"overage": "3", "setup_qty": 1},
		{"overage": "5%", "attrition": 5},
		{"overage": "5%", "setup_qty": 0},
		{"attrition": 100},
		{"attrition": 150},
		{"attrition": -1},
		{"overage": "100%"},
		{"setup_qty": -2},
		{"overage": "-3"},
		{"setup_qty": "some"},
	],
)
def test_bad_overage(line):
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, **line})})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("bad_overage", "P", "M")
	assert "M" in problem.message


def test_attrition_just_below_hundred_is_fine():
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, "attrition": 99.99})})
	assert validate(shop) == []


def test_overage_together_with_setup_or_attrition_says_so():
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, "overage": "3", "attrition": 2})})
	[problem] = validate(shop)
	assert "overage" in problem.message and "setup_qty" in problem.message


def test_unknown_item_and_unknown_substitute():
	shop = catalog(
		{"P": {}, "M": {}},
		{"P": bom(("GHOST", 1), {"item": "M", "qty": 1, "substitutes": ["PHANTOM"]})},
		fill=False,
	)
	problems = validate(shop)
	assert codes(problems) == [("unknown_item", "P", "GHOST"), ("unknown_item", "P", "M")]
	messages = " ".join(p.message for p in problems)
	assert "GHOST" in messages and "PHANTOM" in messages


def test_bom_of_unknown_product_reported_once():
	"""One defect, one problem: the BOM's unknown product is not listed twice in two wordings."""
	shop = catalog({"M": {}}, {"NOBODY": bom(("M", 1))}, fill=False)
	problems = validate(shop)
	assert codes(problems) == [("unknown_item", "NOBODY", None)]
	assert "NOBODY" in problems[0].message


def test_self_substitute():
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, "substitutes": ["N", "M"]})})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("self_substitute", "P", "M")


VARIANTS = {
	"MUG": {"has_variants": True},
	"GLAZE": {"has_variants": True},
	"GLAZE-RED": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red"}},
	"GLAZE-RED-2": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red"}},
	"MUG-RED": {"variant_of": "MUG", "attributes": {"Glaze": "Red"}},
	"MUG-GREEN": {"variant_of": "MUG", "attributes": {"Glaze": "Green"}},
}


def test_no_variant_match_and_ambiguous_variant():
	shop = catalog(VARIANTS, {"MUG": bom({"item": "GLAZE", "qty": 1, "inherited": True})})
	problems = validate(shop)
	assert sorted((p.code, p.bom, p.item, p.data["product"]) for p in problems) == [
		("ambiguous_variant", "MUG", "GLAZE", "MUG-RED"),
		("no_variant_match", "MUG", "GLAZE", "MUG-GREEN"),
	]
	for problem in problems:
		assert problem.data["product"] in problem.message
		assert "GLAZE" in problem.message
		value = dict(problem.data["attributes"])["Glaze"]
		assert f"Glaze: {value}" in problem.message


def test_every_problem_reported_at_once():
	"""One catalog with every code: validate lists them all, not just the first."""
	shop = catalog(
		{**VARIANTS, "PHANTOM-USER": {}},
		{
			"MUG": bom({"item": "GLAZE", "qty": 1, "inherited": True}),
			"A": bom(("B", 1)),
			"B": bom(("A", 1)),
			"SELF": bom(("SELF", 1)),
			"DUP": bom(("M", 1), ("M", 1)),
			"QTY": bom(("M", 0)),
			"OVER": bom({"item": "M", "qty": 1, "attrition": 100}),
			"PHANTOM-USER": bom(("PHANTOM", 1)),
			"SUB": bom({"item": "M", "qty": 1, "substitutes": ["M"]}),
		},
	)
	shop.items.pop("PHANTOM")  # named only in a BOM: make it unknown
	problems = validate(shop)
	assert sorted({p.code for p in problems}) == sorted(
		[
			"ambiguous_variant",
			"bad_overage",
			"bad_quantity",
			"cycle",
			"duplicate_line",
			"no_variant_match",
			"self_reference",
			"self_substitute",
			"unknown_item",
		]
	)
	for problem in problems:
		assert problem.message and problem.bom
		assert set(problem.as_dict()) == {"code", "bom", "item", "message"}


def test_variant_chain_loop_is_a_cycle():
	shop = catalog(
		{"A": {"variant_of": "B", "has_variants": True}, "B": {"variant_of": "A", "has_variants": True}},
		{"A": bom({"item": "M", "qty": 1, "inherited": True})},
	)
	found = only(validate(shop), "cycle")
	assert all(p.data["path"][0] == p.data["path"][-1] for p in found)
	with pytest.raises(BomError):
		explode(shop, "B", 1)


@pytest.mark.parametrize("operation", [explode, capacity])
def test_cycle_makes_explode_and_capacity_raise(operation):
	"""The cycle is below the product asked for; the operation raises, it does not loop."""
	shop = catalog(
		{"M": {"stock": 10}},
		{"TOP": bom(("P", 1)), "P": bom(("S", 1)), "S": bom(("T", 1), ("M", 1)), "T": bom(("S", 1))},
	)
	args = (shop, "TOP", 1) if operation is explode else (shop, "TOP")
	with pytest.raises(BomError) as error:
		operation(*args)
	[problem] = error.value.problems
	assert problem.code == "cycle"
	assert problem.data["path"] in {("S", "T", "S"), ("T", "S", "T")}
	assert " → " in str(error.value)


def test_self_reference_makes_explode_raise():
	shop = catalog(boms={"P": bom(("P", 1))})
	with pytest.raises(BomError) as error:
		explode(shop, "P", 1)
	assert error.value.problems[0].code == "self_reference"


def test_explode_refuses_a_bad_line_with_every_problem():
	shop = catalog(boms={"P": bom(("M", 0), {"item": "N", "qty": 1, "attrition": 120})})
	with pytest.raises(BomError) as error:
		explode(shop, "P", 1)
	assert sorted(p.code for p in error.value.problems) == ["bad_overage", "bad_quantity"]


def test_validate_can_be_scoped_to_products():
	shop = catalog(boms={"GOOD": bom(("S", 1)), "S": bom(("M", 1)), "BAD": bom(("M", -1))})
	assert validate(shop, ["GOOD"]) == []
	assert codes(validate(shop, ["BAD"])) == [("bad_quantity", "BAD", "M")]
