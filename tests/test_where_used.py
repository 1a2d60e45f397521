"""Where-used: every product that needs an item, at any depth."""

import pytest
from helpers import bom, catalog

from truecraft_bom.engine import UnknownItemError, where_used


@pytest.fixture
def shop():
	return catalog(
		{
			"T": {"has_variants": True},
			"V1": {"variant_of": "T"},
			"V2": {"variant_of": "T"},
		},
		{
			"S": bom(("M", 1)),
			"P": bom(("S", 1), ("X", 1)),
			"Q": bom(("S", 2)),
			"TOP": bom(("Q", 1)),
			"R": bom(("M", 1)),
			"U": bom({"item": "K", "qty": 1, "substitutes": ["M"]}),
			"O": bom({"item": "M", "qty": 1, "optional": True}),
			"C": bom({"item": "M", "qty": 1, "consumable": True}),
			"LEAF": bom({"item": "S", "qty": 1, "explode": False}),
			"T": bom({"item": "G", "qty": 1, "inherited": True}),
		},
	)


def test_every_product_at_any_depth(shop):
	"""Direct, through one and two sub-assembly levels, as substitute, optional, consumable.

	LEAF takes S from stock (explode false), so it never needs M.
	"""
	assert where_used(shop, "M") == ("C", "O", "P", "Q", "R", "S", "TOP", "U")


def test_subassembly_used_where(shop):
	assert where_used(shop, "S") == ("LEAF", "P", "Q", "TOP")
	assert where_used(shop, "Q") == ("TOP",)


def test_inherited_lines_reach_the_variants(shop):
	assert where_used(shop, "G") == ("T", "V1", "V2")


def test_unused_item_and_top_product(shop):
	assert where_used(shop, "TOP") == ()
	assert where_used(shop, "X") == ("P",)


def test_unknown_item_raises(shop):
	with pytest.raises(UnknownItemError):
		where_used(shop, "NOPE")


def test_attribute_matching_picks_the_mugs_of_one_glaze():
	shop = catalog(
		{
			"MUG": {"has_variants": True},
			"GLAZE": {"has_variants": True},
			"GLAZE-RED": {"variant_of": "GLAZE", "attributes": {"Glaze": "Red"}},
			"GLAZE-BLUE": {"variant_of": "GLAZE", "attributes": {"Glaze": "Blue"}},
			"MUG-RED": {"variant_of": "MUG", "attributes": {"Glaze": "Red"}},
			"MUG-BLUE": {"variant_of": "MUG", "attributes": {"Glaze": "Blue"}},
		},
		{"MUG": bom({"item": "GLAZE", "qty": 0.2, "inherited": True})},
	)
	assert where_used(shop, "GLAZE-RED") == ("MUG-RED",)
	assert where_used(shop, "GLAZE") == ("MUG",)
