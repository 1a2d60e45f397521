"""engine.effective_lines: a product's own lines plus what it inherits, each with the BOM it is written in."""

import pytest
from helpers import bom, catalog

from truecraft_bom.engine import BomError, effective_lines


def inherited(item, qty):
	return {"item": item, "qty": qty, "inherited": True}


def pairs(cat, product):
	return [(source.product, line.item, line.qty) for source, line in effective_lines(cat, product)]


def test_own_lines_then_inherited_nearest_first():
	cat = catalog(
		{
			"T": {"has_variants": True},
			"V": {"variant_of": "T", "has_variants": True},
			"W": {"variant_of": "V"},
		},
		{"T": bom(inherited("A", 1), inherited("B", 2), ("C", 3)), "V": bom(inherited("B", 5), ("D", 1))},
	)
	assert pairs(cat, "T") == [("T", "A", 1), ("T", "B", 2), ("T", "C", 3)]
	assert pairs(cat, "V") == [("V", "B", 5), ("V", "D", 1), ("T", "A", 1)]
	# W has no BOM: only inherited lines, V's B overriding T's
	assert pairs(cat, "W") == [("V", "B", 5), ("T", "A", 1)]


def test_a_change_to_an_inherited_template_line_shows_in_the_variant():
	items = {"T": {"has_variants": True}, "V": {"variant_of": "T"}}
	before = catalog(items, {"T": bom(inherited("A", 1)), "V": bom(("D", 1))})
	after = catalog(items, {"T": bom(inherited("A", 2)), "V": bom(("D", 1))})
	assert pairs(before, "V") == [("V", "D", 1), ("T", "A", 1)]
	assert pairs(after, "V") == [("V", "D", 1), ("T", "A", 2)]


def test_item_without_bom_or_template_has_none():
	assert effective_lines(catalog({"X": {}}), "X") == ()


def test_variant_chain_loop_is_an_error():
	cat = catalog({"P": {"variant_of": "Q"}, "Q": {"variant_of": "P"}})
	with pytest.raises(BomError):
		effective_lines(cat, "P")
