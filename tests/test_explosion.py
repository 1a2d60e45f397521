"""Explosion: the line requirement formula, rounding, aggregation of sub-assemblies, leaves and their flags."""

from decimal import Decimal

import pytest
from helpers import D, bom, catalog, needs

from truecraft_bom.engine import NoBomError, QuantityError, UnknownItemError, explode, explode_many, summarise


def test_line_requirement_formula():
	"""r = (qty / bom.quantity) * d * (1 + attrition/100) + setup_qty: 2/4 * 10 * 1.05 + 3 = 8.25."""
	shop = catalog(
		boms={"P": bom({"item": "M", "qty": 2, "attrition": 5, "setup_qty": 3}, quantity=4)},
	)
	assert needs(explode(shop, "P", 10)) == {"M": D("8.25")}


def test_rounding_multiple_rounds_up():
	"""8.25 rounds up to 8.5 at a multiple of 0.5 and to 10 at a multiple of 5; an exact multiple stays."""
	line = {"item": "M", "qty": 2, "attrition": 5, "setup_qty": 3}
	half = catalog(boms={"P": bom({**line, "rounding_multiple": 0.5}, quantity=4)})
	five = catalog(boms={"P": bom({**line, "rounding_multiple": 5}, quantity=4)})
	exact = catalog(boms={"P": bom({"item": "M", "qty": 2, "rounding_multiple": 5})})
	assert needs(explode(half, "P", 10)) == {"M": D("8.5")}
	assert needs(explode(five, "P", 10)) == {"M": D(10)}
	assert needs(explode(exact, "P", 5)) == {"M": D(10)}


def test_whole_number_component_rounds_up_to_a_unit():
	"""A whole-number component: 1.2 * 3 = 3.6 is 4; 0.5 * 4 = 2 stays 2."""
	shop = catalog({"JAR": {"whole_number": True}}, {"P": bom(("JAR", 1.2)), "Q": bom(("JAR", 0.5))})
	assert needs(explode(shop, "P", 3)) == {"JAR": D(4)}
	assert needs(explode(shop, "Q", 4)) == {"JAR": D(2)}


def test_rounding_multiple_wins_over_whole_number():
	"""With rounding_multiple set it is used, not the whole unit: 0.8 * 4 = 3.2 -> 3.5, not 4."""
	shop = catalog(
		{"JAR": {"whole_number": True}}, {"P": bom({"item": "JAR", "qty": 0.8, "rounding_multiple": 0.5})}
	)
	assert needs(explode(shop, "P", 4)) == {"JAR": D("3.5")}


def test_setup_quantity_counts_once_per_build():
	"""setup_qty 3 on 1 per unit: a build of 10 needs 13, not 40; a build of 1 needs 4."""
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, "setup_qty": 3})})
	assert needs(explode(shop, "P", 10)) == {"M": D(13)}
	assert needs(explode(shop, "P", 1)) == {"M": D(4)}


def test_shared_subassembly_built_once_for_the_summed_demand():
	"""S is needed 1 by P and 2 by T inside P: one build of 3, its setup of 5 counted once (8, not 13)."""
	shop = catalog(
		boms={
			"P": bom(("S", 1), ("T", 1)),
			"T": bom(("S", 2)),
			"S": bom({"item": "M", "qty": 1, "setup_qty": 5}),
		}
	)
	result = explode(shop, "P", 1)
	assert needs(result) == {"M": D(8)}
	assert result.builds == {"S": D(3), "T": D(1)}


def test_shared_subassembly_rounds_the_summed_build():
	"""0.4 of a whole-number part per S; S needed once by P and once by T: 0.8 -> 1 part, not 1 + 1."""
	shop = catalog(
		{"PART": {"whole_number": True}},
		{"P": bom(("S", 1), ("T", 1)), "T": bom(("S", 1)), "S": bom(("PART", 0.4))},
	)
	assert needs(explode(shop, "P", 1)) == {"PART": D(1)}


def test_subassembly_demand_includes_its_line_overage():
	"""The parent's attrition and setup on a sub-assembly line grow the sub-assembly's build."""
	shop = catalog(
		boms={
			"P": bom({"item": "S", "qty": 2, "attrition": 10, "setup_qty": 1}),
			"S": bom(("M", 3)),
		}
	)
	result = explode(shop, "P", 5)
	assert result.builds == {"S": D(12)}  # 2 * 5 * 1.1 + 1
	assert needs(result) == {"M": D(36)}


def test_explode_many_shares_subassembly_setup_between_products():
	"""Two products needing the same sub-assembly: one build, one setup."""
	shop = catalog(
		boms={"A": bom(("S", 1)), "B": bom(("S", 2)), "S": bom({"item": "M", "qty": 1, "setup_qty": 4})}
	)
	plan, run = explode_many(shop, {"A": 3, "B": 1})
	assert [(r.item, r.qty) for r in summarise(plan, run)] == [("M", D(9))]  # 3 + 2 + 4


def test_optional_lines_left_out_unless_asked():
	shop = catalog(boms={"P": bom(("M", 1), {"item": "GIFT-BOX", "qty": 1, "optional": True})})
	assert needs(explode(shop, "P", 2)) == {"M": D(2)}
	assert needs(explode(shop, "P", 2, include_optional=True)) == {"GIFT-BOX": D(2), "M": D(2)}


def test_optional_subassembly_left_out_with_its_components():
	shop = catalog(boms={"P": bom(("M", 1), {"item": "S", "qty": 1, "optional": True}), "S": bom(("N", 2))})
	assert needs(explode(shop, "P", 2)) == {"M": D(2)}
	assert needs(explode(shop, "P", 2, include_optional=True)) == {"M": D(2), "N": D(4)}


def test_consumable_and_non_stock_leaves_are_flagged():
	shop = catalog(
		{"LABOUR": {"is_stock": False}},
		{"P": bom(("M", 1), {"item": "LABEL", "qty": 1, "consumable": True}, ("LABOUR", 0.25))},
	)
	flags = {r.item: (r.qty, r.consumable, r.non_stock) for r in explode(shop, "P", 4).requirements}
	assert flags == {
		"LABEL": (D(4), True, False),
		"LABOUR": (D(1), False, True),
		"M": (D(4), False, False),
	}


def test_consumable_line_is_a_leaf_even_for_a_subassembly():
	"""A consumable line is a leaf flagged consumable, never exploded."""
	shop = catalog(boms={"P": bom({"item": "S", "qty": 1, "consumable": True}), "S": bom(("M", 1))})
	[requirement] = explode(shop, "P", 3).requirements
	assert (requirement.item, requirement.qty, requirement.consumable) == ("S", D(3), True)


def test_explode_false_makes_a_subassembly_a_leaf():
	shop = catalog(boms={"P": bom({"item": "S", "qty": 2, "explode": False}), "S": bom(("M", 1))})
	result = explode(shop, "P", 3)
	assert needs(result) == {"S": D(6)}
	assert result.builds == {}


def test_line_with_substitutes_is_a_leaf():
	"""A sub-assembly line with substitutes is drawn from stock, not built."""
	shop = catalog(
		boms={"P": bom({"item": "S", "qty": 1, "substitutes": ["S2"]}), "S": bom(("M", 1))},
	)
	assert needs(explode(shop, "P", 3)) == {"S": D(3)}


def test_exact_decimals_tenths():
	"""0.1 seven times is exactly 0.7; 0.1 + 0.2 of the same item is exactly 0.3."""
	shop = catalog(boms={"P": bom(("M", 0.1), ("S", 1)), "S": bom(("M", 0.2)), "Q": bom(("M", 0.1))})
	assert needs(explode(shop, "Q", 7)) == {"M": D("0.7")}
	assert needs(explode(shop, "P", 1)) == {"M": D("0.3")}
	assert str(needs(explode(shop, "P", 1))["M"]) == "0.3"


def test_exact_thirds_of_a_batch():
	"""A batch of 3 from 1 of M: builds of 3 and 6 need exactly 1 and 2; 1/3 is never shown as less."""
	shop = catalog(boms={"P": bom(("M", 1), quantity=3)})
	assert needs(explode(shop, "P", 3)) == {"M": D(1)}
	assert needs(explode(shop, "P", 6)) == {"M": D(2)}
	third = needs(explode(shop, "P", 1))["M"]
	assert Decimal("0.333333333") <= third <= Decimal("0.333333334")
	assert third * 3 >= 1


def test_thirds_through_a_subassembly_stay_exact():
	"""9 P per S and 3 S per M: 27 P need exactly 3 S and 1 M."""
	shop = catalog(boms={"P": bom(("S", 1), quantity=9), "S": bom(("M", 1), quantity=3)})
	assert needs(explode(shop, "P", 27)) == {"M": D(1)}


def test_requirements_summed_by_item_and_sorted_by_code():
	shop = catalog(boms={"P": bom(("Z", 1), ("A", 2), ("M", 3), ("S", 1)), "S": bom(("M", 4), ("B", 1))})
	result = explode(shop, "P", 2)
	assert [(r.item, r.qty) for r in result.requirements] == [
		("A", D(4)),
		("B", D(2)),
		("M", D(14)),
		("Z", D(2)),
	]


def test_as_dict_shape():
	shop = catalog(boms={"P": bom(("M", 1.5))})
	assert explode(shop, "P", 2).as_dict() == {
		"item": "P",
		"qty": D(2),
		"requirements": [{"item": "M", "qty": D(3), "consumable": False, "non_stock": False}],
		"scrap": [],
	}


@pytest.mark.parametrize("qty", [0, -1, "0", "-2.5", "abc", "nan", None])
def test_quantity_must_be_positive(qty):
	shop = catalog(boms={"P": bom(("M", 1))})
	with pytest.raises(QuantityError):
		explode(shop, "P", qty)


def test_unknown_item_and_item_without_bom():
	shop = catalog(boms={"P": bom(("M", 1))})
	with pytest.raises(UnknownItemError) as unknown:
		explode(shop, "NOPE", 1)
	assert (unknown.value.code, unknown.value.item) == ("unknown_item", "NOPE")
	with pytest.raises(NoBomError) as no_bom:
		explode(shop, "M", 1)
	assert (no_bom.value.code, no_bom.value.item) == ("no_bom", "M")
