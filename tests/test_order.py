"""Work Orders (engine.order): required items for one build, overage, non-stock costs and scrap.

Source: the issue "Work Orders and planning run on the engine" (seed sections 9, 13-16 and 23): required
items from the engine for the order's quantity as one build, consumable and non-stock lines left out of the
items to transfer, optional lines only on request, overage shown per row, scrap of every exploded level.
"""

import pytest
from helpers import D, bom, catalog

from truecraft_bom.engine import (
	BomError,
	NoBomError,
	QuantityError,
	UnknownItemError,
	capacity,
	cost,
	exact,
	explode,
	money,
	required_items,
	without_losses,
)


def candle_shop():
	"""The bench suite's worked example (truecraft_bom/tests/test_work_orders.py).

	CANDLE: 0.5 WAX per unit with 5 % attrition and 0.4 setup, 1 WICK, 0.1 DYE (consumable), 0.2 LABOUR
	(non-stock, 25 an hour), 1 RIBBON (optional); 0.05 TRIM scrap per unit.
	"""
	return catalog(
		{
			"WAX": {"stock": 100, "rate": 4},
			"WICK": {"stock": 50, "rate": "0.3"},
			"DYE": {"stock": 10, "rate": 2},
			"LABOUR": {"is_stock": False, "rate": 25},
			"RIBBON": {"stock": 20, "rate": "0.5"},
			"TRIM": {"rate": 1},
			"CANDLE": {"whole_number": True},
		},
		{
			"CANDLE": {
				"quantity": 1,
				"lines": [
					{"item": "WAX", "qty": "0.5", "attrition": 5, "setup_qty": "0.4"},
					{"item": "WICK", "qty": 1},
					{"item": "DYE", "qty": "0.1", "consumable": True},
					{"item": "LABOUR", "qty": "0.2"},
					{"item": "RIBBON", "qty": 1, "optional": True},
				],
				"scrap": [{"item": "TRIM", "qty": "0.05"}],
			}
		},
	)


def rows(order):
	return {row.item: (row.qty, row.overage) for row in order.items}


def test_worked_example_ten_candles():
	"""10 candles: WAX 0.5 x 10 x 1.05 + 0.4 = 5.65 (overage 0.25 + 0.4 = 0.65), WICK 10; DYE 1 is a
	consumable, LABOUR 2 hours x 25 = 50 a cost, RIBBON left out; 0.5 TRIM comes out."""
	order = required_items(candle_shop(), "CANDLE", 10)
	assert rows(order) == {"WAX": (D("5.65"), D("0.65")), "WICK": (D(10), D(0))}
	assert [(c.item, c.qty) for c in order.consumables] == [("DYE", D(1))]
	assert [(c.item, c.qty, c.rate, c.amount) for c in order.non_stock] == [("LABOUR", D(2), D(25), D(50))]
	assert order.non_stock_amount == D(50)
	assert [(s.item, s.qty) for s in order.scrap] == [("TRIM", D("0.5"))]


def test_optional_lines_on_request():
	order = required_items(candle_shop(), "CANDLE", 10, include_optional=True)
	assert rows(order)["RIBBON"] == (D(10), D(0))


def test_setup_counts_once_per_order():
	"""One order of 10 is one build: setup 0.4 once, not ten times, and not per unit of the order."""
	assert rows(required_items(candle_shop(), "CANDLE", 1))["WAX"] == (D("0.925"), D("0.425"))
	assert rows(required_items(candle_shop(), "CANDLE", 20))["WAX"] == (D("10.9"), D("0.9"))


def test_agrees_with_explosion_and_cost():
	"""The stock rows are the explosion's non-consumable stock leaves; the order's cost is the roll-up's."""
	shop = candle_shop()
	order = required_items(shop, "CANDLE", 10)
	exploded = {r.item: r.qty for r in explode(shop, "CANDLE", 10).requirements if not r.consumable}
	assert {row.item: row.qty for row in order.items} == {
		code: qty for code, qty in exploded.items() if code != "LABOUR"
	}
	rolled = cost(shop, "CANDLE", 10)
	materials = money(sum(exact(row.qty) * shop.items[row.item].rate for row in order.items))
	consumables = money(sum(exact(row.qty) * shop.items[row.item].rate for row in order.consumables))
	assert rolled.stock == materials and rolled.consumable == consumables
	assert rolled.non_stock == order.non_stock_amount
	assert rolled.scrap == money(sum(exact(s.qty) * shop.items[s.item].rate for s in order.scrap))


@pytest.fixture
def assembly():
	"""P (batch of 2): 2 S and 1 M (attrition 10 %), 1 L labour, 0.5 TRIM scrap per batch.
	S: 3 M with setup 1, rounded to packs of 4; 0.2 DUST per unit."""
	return catalog(
		{"L": {"is_stock": False, "rate": 10}, "M": {"rate": 1}},
		{
			"P": {
				**bom(("S", 2), {"item": "M", "qty": 1, "attrition": 10}, ("L", 1), quantity=2),
				"scrap": [{"item": "TRIM", "qty": "0.5"}],
			},
			"S": {
				**bom({"item": "M", "qty": 3, "setup_qty": 1, "rounding_multiple": 4}),
				"scrap": [{"item": "DUST", "qty": "0.2"}],
			},
		},
	)


def test_multi_level_explodes_sub_assemblies(assembly):
	"""6 P: S built 6 -> M 3 x 6 + 1 = 19, packs of 4 -> 20 (20 without setup too: no overage there);
	P's own M 0.5 x 6 x 1.1 = 3.3 (overage 0.3). Scrap of both levels: 1.5 TRIM, 1.2 DUST."""
	order = required_items(assembly, "P", 6)
	assert rows(order) == {"M": (D("23.3"), D("0.3"))}
	assert [(c.item, c.qty, c.amount) for c in order.non_stock] == [("L", D(3), D(30))]
	assert [(s.item, s.qty) for s in order.scrap] == [("DUST", D("1.2")), ("TRIM", D("1.5"))]


def test_overage_of_a_sub_assembly_reaches_its_materials():
	"""Attrition on a sub-assembly line builds more of it, and that shows as overage of its materials."""
	shop = catalog(boms={"P": bom({"item": "S", "qty": 1, "attrition": 50}), "S": bom(("M", 2))})
	assert rows(required_items(shop, "P", 4)) == {"M": (D(12), D(4))}


def test_first_level_keeps_sub_assemblies_as_items(assembly):
	"""Without multi-level: S is an item (6), P's own scrap only."""
	order = required_items(assembly, "P", 6, multi_level=False)
	assert rows(order) == {"M": (D("3.3"), D("0.3")), "S": (D(6), D(0))}
	assert [(s.item, s.qty) for s in order.scrap] == [("TRIM", D("1.5"))]
	assert [c.item for c in order.non_stock] == ["L"]


def test_variants_resolve_by_inheritance_and_attributes():
	"""A variant with no BOM of its own takes its template's inherited lines, the glaze matched by colour."""
	shop = catalog(
		{
			"MUG": {"has_variants": True},
			"MUG-BLUE": {"variant_of": "MUG", "attributes": {"Colour": "Blue"}},
			"GLAZE": {"has_variants": True},
			"GLAZE-BLUE": {"variant_of": "GLAZE", "attributes": {"Colour": "Blue"}},
			"GLAZE-RED": {"variant_of": "GLAZE", "attributes": {"Colour": "Red"}},
		},
		{
			"MUG": bom(
				{"item": "CLAY", "qty": 2, "inherited": True},
				{"item": "GLAZE", "qty": "0.1", "inherited": True, "setup_qty": "0.05"},
			)
		},
	)
	assert rows(required_items(shop, "MUG-BLUE", 3)) == {
		"CLAY": (D(6), D(0)),
		"GLAZE-BLUE": (D("0.35"), D("0.05")),
	}


def test_without_losses_is_shared_and_lossless():
	shop = candle_shop()
	lossless = without_losses(shop)
	assert without_losses(shop) is lossless
	assert {r.item: r.qty for r in explode(lossless, "CANDLE", 10).requirements}["WAX"] == D(5)
	assert capacity(shop, "CANDLE").capacity == capacity(candle_shop(), "CANDLE").capacity


def test_refusals():
	shop = candle_shop()
	with pytest.raises(UnknownItemError):
		required_items(shop, "NOPE", 1)
	with pytest.raises(NoBomError):
		required_items(shop, "WAX", 1)
	with pytest.raises(NoBomError):
		required_items(shop, "WAX", 1, multi_level=False)
	cyclic = catalog(boms={"A": bom("B"), "B": bom("A")})
	with pytest.raises(BomError):
		required_items(cyclic, "A", 1, multi_level=False)
	with pytest.raises(QuantityError):
		required_items(shop, "CANDLE", 0)


def test_as_dict():
	result = required_items(candle_shop(), "CANDLE", 10).as_dict()
	assert result["items"][0] == {"item": "WAX", "qty": D("5.65"), "overage": D("0.65")}
	assert result["non_stock"] == [{"item": "LABOUR", "qty": D(2), "rate": D(25), "amount": D(50)}]
