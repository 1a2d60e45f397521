"""Effective lines down the variant chain, and attribute matching of template components."""

import pytest
from helpers import D, bom, catalog, needs

from truecraft_bom.engine import BomError, NoBomError, Resolver, explode, validate


def inherited(item, qty, **more):
	return {"item": item, "qty": qty, "inherited": True, **more}


@pytest.fixture
def chain():
	"""T (template) <- V (variant with its own BOM) <- W (variant of V without a BOM)."""
	return catalog(
		{
			"T": {"has_variants": True},
			"V": {"variant_of": "T", "has_variants": True},
			"W": {"variant_of": "V"},
		},
		{
			"T": bom(inherited("A", 1), inherited("B", 2), ("C", 3), quantity=2),
			"V": bom(inherited("B", 5), ("D", 1)),
		},
	)


def test_template_keeps_all_its_own_lines(chain):
	"""A template's own BOM counts in full; lines only flow down, so nothing of V reaches T."""
	assert needs(explode(chain, "T", 2)) == {"A": D(1), "B": D(2), "C": D(3)}


def test_variant_gets_own_lines_plus_inherited(chain):
	"""V: its own B (5) overrides T's inherited B; T's A is inherited; T's C is not marked inherited."""
	assert needs(explode(chain, "V", 1)) == {"A": D("0.5"), "B": D(5), "D": D(1)}


def test_inherited_line_keeps_the_per_unit_quantity_of_its_bom(chain):
	"""A is 1 per batch of 2 in T's BOM: 0.5 per unit of V although V's own batch is 1."""
	assert needs(explode(chain, "V", 4))["A"] == D(2)


def test_variant_without_bom_gets_only_inherited_lines_nearest_first(chain):
	"""W has no BOM: V's inherited B (5, nearer) wins over T's B (2); V's D and T's C do not flow."""
	assert needs(explode(chain, "W", 1)) == {"A": D("0.5"), "B": D(5)}


def test_effective_lines_name_the_bom_they_come_from(chain):
	lines = Resolver(chain).effective_lines("W")
	assert [(source.product, line.item) for source, line in lines] == [("V", "B"), ("T", "A")]


def test_own_non_inherited_line_overrides_a_template_line():
	"""V's own, not-inherited A line still overrides the template's A for V itself."""
	shop = catalog(
		{"T": {"has_variants": True}, "V": {"variant_of": "T"}},
		{"T": bom(inherited("A", 1)), "V": bom(("A", 7))},
	)
	assert needs(explode(shop, "V", 1)) == {"A": D(7)}


def test_inherited_flag_matters_on_every_level():
	"""A nearer template's not-inherited line does not hide a farther template's inherited one."""
	shop = catalog(
		{
			"T": {"has_variants": True},
			"V": {"variant_of": "T", "has_variants": True},
			"W": {"variant_of": "V"},
		},
		{"T": bom(inherited("A", 1)), "V": bom(("A", 9), inherited("B", 1))},
	)
	assert needs(explode(shop, "W", 1)) == {"A": D(1), "B": D(1)}


def test_variant_of_a_template_without_bom_and_no_lines_cannot_be_built():
	shop = catalog({"T": {"has_variants": True}, "V": {"variant_of": "T"}}, {})
	with pytest.raises(NoBomError):
		explode(shop, "V", 1)


# Attribute matching: a pottery in miniature.


def pottery_data(**extra_items):
	"""MUG (template) inherits a template GLAZE and a template BODY sub-assembly; variants have no BOM."""
	items = {
		"MUG": {"has_variants": True},
		"GLAZE": {"has_variants": True},
		"BODY": {"has_variants": True},
		"CLAY": {"stock": 100},
		"HANDLE": {"stock": 100, "whole_number": True},
	}
	for glaze in ("Red", "Blue"):
		items[f"GLAZE-{glaze.upper()}"] = {"variant_of": "GLAZE", "attributes": {"Glaze": glaze}, "stock": 10}
		for form in ("Tall", "Cup"):
			items[f"MUG-{form.upper()}-{glaze.upper()}"] = {
				"variant_of": "MUG",
				"attributes": {"Form": form, "Glaze": glaze},
			}
	for form in ("Tall", "Cup"):
		items[f"BODY-{form.upper()}"] = {"variant_of": "BODY", "attributes": {"Form": form}}
	items.update(extra_items)
	boms = {
		"MUG": bom(inherited("BODY", 1), inherited("GLAZE", 0.2)),
		"BODY-TALL": bom(("CLAY", 0.6), ("HANDLE", 1)),
		"BODY-CUP": bom(("CLAY", 0.3)),
	}
	return catalog(items, boms, fill=False)


@pytest.fixture
def pottery():
	return pottery_data()


def test_template_component_resolves_to_the_matching_variant(pottery):
	result = explode(pottery, "MUG-TALL-RED", 10)
	assert needs(result) == {"CLAY": D(6), "GLAZE-RED": D(2), "HANDLE": D(10)}
	assert result.builds == {"BODY-TALL": D(10)}
	assert needs(explode(pottery, "MUG-CUP-BLUE", 10)) == {"CLAY": D(3), "GLAZE-BLUE": D(2)}


def test_every_mug_variant_is_buildable_without_its_own_bom(pottery):
	assert validate(pottery) == []
	for code in ("MUG-TALL-RED", "MUG-TALL-BLUE", "MUG-CUP-RED", "MUG-CUP-BLUE"):
		assert code not in pottery.boms
		glaze = "GLAZE-" + code.rsplit("-", 1)[1]
		assert glaze in needs(explode(pottery, code, 1))


def test_matching_uses_every_attribute_both_carry():
	"""Variants that differ in Finish: the mug's Finish picks one; a mug without Finish is ambiguous."""
	shop = catalog(
		{
			"MUG": {"has_variants": True},
			"GLAZE": {"has_variants": True},
			"GLAZE-RED-MATTE": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red", "Finish": "Matte"}},
			"GLAZE-RED-GLOSS": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red", "Finish": "Gloss"}},
			"MUG-RED-GLOSS": {
				"variant_of": "MUG",
				"attributes": {"Glaze": "Red", "Finish": "Gloss", "Form": "Tall"},
			},
			"MUG-RED": {"variant_of": "MUG", "attributes": {"Glaze": "Red"}},
		},
		{"MUG": bom(inherited("GLAZE", 1))},
	)
	assert needs(explode(shop, "MUG-RED-GLOSS", 1)) == {"GLAZE-RED-GLOSS": D(1)}
	with pytest.raises(BomError) as error:
		explode(shop, "MUG-RED", 1)
	[problem] = error.value.problems
	assert problem.code == "ambiguous_variant"


GREEN_MUG = {"variant_of": "MUG", "attributes": {"Form": "Tall", "Glaze": "Green"}}


def test_no_matching_variant_names_product_component_and_attributes():
	shop = pottery_data(**{"MUG-TALL-GREEN": GREEN_MUG})
	with pytest.raises(BomError) as error:
		explode(shop, "MUG-TALL-GREEN", 1)
	[problem] = error.value.problems
	assert problem.code == "no_variant_match"
	assert problem.data["product"] == "MUG-TALL-GREEN"
	assert problem.item == "GLAZE"
	assert dict(problem.data["attributes"]) == {"Form": "Tall", "Glaze": "Green"}
	for word in ("MUG-TALL-GREEN", "GLAZE", "Glaze: Green"):
		assert word in problem.message
	assert "Glaze: Green" in str(error.value)


def test_several_matching_variants_name_product_component_and_attributes():
	shop = pottery_data(**{"GLAZE-RED-2": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red"}}})
	with pytest.raises(BomError) as error:
		explode(shop, "MUG-CUP-RED", 1)
	[problem] = error.value.problems
	assert problem.code == "ambiguous_variant"
	assert problem.data["product"] == "MUG-CUP-RED"
	assert problem.data["candidates"] == ["GLAZE-RED", "GLAZE-RED-2"]
	for word in ("MUG-CUP-RED", "GLAZE", "Glaze: Red", "GLAZE-RED", "GLAZE-RED-2"):
		assert word in problem.message
	assert needs(explode(shop, "MUG-CUP-BLUE", 1))["GLAZE-BLUE"] == D("0.2")


def test_matching_problems_are_reported_by_validate():
	shop = pottery_data(
		**{
			"MUG-TALL-GREEN": GREEN_MUG,
			"GLAZE-BLUE-2": {"variant_of": "GLAZE", "attributes": {"Glaze": "Blue"}},
		}
	)
	found = {(p.code, p.bom, p.item, p.data["product"]) for p in validate(shop)}
	assert found == {
		("no_variant_match", "MUG", "GLAZE", "MUG-TALL-GREEN"),
		("ambiguous_variant", "MUG", "GLAZE", "MUG-TALL-BLUE"),
		("ambiguous_variant", "MUG", "GLAZE", "MUG-CUP-BLUE"),
	}
