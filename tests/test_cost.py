"""Cost roll-up: stock, consumable and non-stock reported apart, overage in, optional lines out."""

import pytest
from helpers import EXAMPLES, D, bom, catalog

from truecraft_bom.engine import QuantityError, cost, load_scenario


@pytest.fixture
def shop():
	"""P: 2 M (10% attrition), 1 S (S: 1 N + setup 1), 1 consumable C, 0.25 h LABOUR, optional O."""
	return catalog(
		{
			"M": {"rate": 1.5},
			"N": {"rate": 4},
			"C": {"rate": 0.5},
			"O": {"rate": 100},
			"LABOUR": {"is_stock": False, "rate": 20},
		},
		{
			"P": bom(
				{"item": "M", "qty": 2, "attrition": 10},
				("S", 1),
				{"item": "C", "qty": 1, "consumable": True},
				("LABOUR", 0.25),
				{"item": "O", "qty": 1, "optional": True},
			),
			"S": bom({"item": "N", "qty": 1, "setup_qty": 1}),
		},
	)


def test_categories_rolled_up_for_a_build(shop):
	"""q=2: M 4.4 x 1.5 = 6.6; S built 2 needs N 3 x 4 = 12; C 2 x 0.5 = 1; LABOUR 0.5 h x 20 = 10."""
	result = cost(shop, "P", 2)
	assert (result.stock, result.consumable, result.non_stock) == (D("18.6"), D(1), D(10))
	assert result.total == D("29.6")
	assert result.per_unit == D("14.8")
	assert result.qty == D(2)


def test_setup_is_spread_over_the_build(shop):
	"""One build of 1 carries the whole setup unit of N; a build of 10 shares it."""
	one = cost(shop, "P", 1)
	assert (one.stock, one.total, one.per_unit) == (D("11.3"), D("16.8"), D("16.8"))  # 3.3 + 2 x 4
	ten = cost(shop, "P", 10)
	assert (ten.stock, ten.total, ten.per_unit) == (D(77), D(132), D("13.2"))  # 33 + 11 x 4, + 5 + 50


def test_default_quantity_is_one(shop):
	assert cost(shop, "P") == cost(shop, "P", 1)


def test_as_dict_shape(shop):
	assert cost(shop, "P", 2).as_dict() == {
		"item": "P",
		"qty": D(2),
		"stock": D("18.6"),
		"consumable": D(1),
		"non_stock": D(10),
		"scrap": D(0),
		"total": D("29.6"),
		"per_unit": D("14.8"),
	}


def test_whole_number_rounding_is_paid_for():
	"""0.3 of a jar at 2 each: one mug pays a whole jar."""
	shop = catalog({"JAR": {"rate": 2, "whole_number": True}}, {"P": bom(("JAR", 0.3))})
	assert cost(shop, "P", 1).stock == D(2)
	assert cost(shop, "P", 10).stock == D(6)


def test_non_stock_consumable_line_counts_as_non_stock():
	shop = catalog(
		{"GAS": {"is_stock": False, "rate": 3}}, {"P": bom({"item": "GAS", "qty": 1, "consumable": True})}
	)
	result = cost(shop, "P", 2)
	assert (result.stock, result.consumable, result.non_stock) == (D(0), D(0), D(6))


def test_soap_gift_set():
	"""Three bars (oils, butter, lye, wrap) and a box; 3 labels; 0.35 h of labour at 2.5."""
	result = cost(load_scenario(EXAMPLES / "soap.json"), "SOAP-GIFT-SET")
	assert result.stock == D("12.8066")
	assert result.consumable == D("0.06")
	assert result.non_stock == D("0.875")
	assert result.total == D("13.7416")


@pytest.mark.parametrize("qty", [0, -3, "x"])
def test_quantity_must_be_positive(shop, qty):
	with pytest.raises(QuantityError):
		cost(shop, "P", qty)
