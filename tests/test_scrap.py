"""Scrap: outputs of a build, summed over every level, worth their rate in the cost, never limiting capacity."""

import pytest
from helpers import D, bom, catalog

from truecraft_bom.engine import (
	BomError,
	Output,
	ScenarioError,
	capacity,
	catalog_from_dict,
	cost,
	explode,
	plans,
	scrap_of,
	validate,
)


def with_scrap(lines, scrap, quantity=1):
	return {**bom(*lines, quantity=quantity), "scrap": scrap}


@pytest.fixture
def shop():
	"""P (batch of 2): 2 S and 1 M, 0.5 TRIM per batch. S: 3 M (setup 1), 1 TRIM and 0.2 DUST per unit."""
	return catalog(
		{"M": {"stock": 100, "rate": 2}, "TRIM": {"rate": "0.5"}, "DUST": {"rate": 1}},
		{
			"P": with_scrap([("S", 2), ("M", 1)], [{"item": "TRIM", "qty": "0.5"}], quantity=2),
			"S": with_scrap(
				[{"item": "M", "qty": 3, "setup_qty": 1}],
				[{"item": "TRIM", "qty": 1}, {"item": "DUST", "qty": "0.2"}],
			),
		},
	)


def test_scrap_summed_over_every_level(shop):
	"""10 P: P yields 0.5 / 2 x 10 = 2.5 TRIM; S is built 10 and yields 10 TRIM and 2 DUST."""
	result = explode(shop, "P", 10)
	assert [(s.item, s.qty) for s in result.scrap] == [("DUST", D(2)), ("TRIM", D("12.5"))]
	assert result.as_dict()["scrap"] == [{"item": "DUST", "qty": D(2)}, {"item": "TRIM", "qty": D("12.5")}]


def test_scrap_has_no_overage_or_rounding():
	"""Attrition, setup and whole-number rounding shape what a line needs, never what scrap comes out."""
	shop = catalog(
		{"OFFCUT": {"whole_number": True}},
		{
			"P": with_scrap(
				[{"item": "M", "qty": 1, "attrition": 10, "setup_qty": 2}], [{"item": "OFFCUT", "qty": "0.3"}]
			)
		},
	)
	assert [(s.item, s.qty) for s in explode(shop, "P", 3).scrap] == [("OFFCUT", D("0.9"))]


def test_subassemblies_taken_from_stock_yield_no_scrap():
	"""Capacity may draw sub-assemblies on hand before building: only the ones built yield scrap."""
	shop = catalog(
		{"S": {"stock": 4}, "M": {"stock": 100}},
		{"P": bom(("S", 1)), "S": with_scrap([("M", 1)], [{"item": "DUST", "qty": 1}])},
	)
	plan = plans(shop).get(["P"])
	assert scrap_of(plan, plan.run({"P": 10})) == (Output("DUST", D(10)),)
	assert scrap_of(plan, plan.run({"P": 10}, available={"S": 4})) == (Output("DUST", D(6)),)


def test_cost_subtracts_scrap_at_its_rate():
	"""4 P from batches of 2: 6 M at 2 cost 12; 2 TRIM at 0.5 are worth 1, so the build costs 11."""
	shop = catalog(
		{"M": {"rate": 2}, "TRIM": {"rate": "0.5"}},
		{"P": with_scrap([("M", 3)], [{"item": "TRIM", "qty": 1}], quantity=2)},
	)
	result = cost(shop, "P", 4)
	assert (result.stock, result.scrap, result.total, result.per_unit) == (D(12), D(1), D(11), D("2.75"))
	assert result.as_dict()["scrap"] == D(1)


def test_cost_subtracts_the_scrap_of_every_level(shop):
	"""2 P: S built 2 needs 7 M, P 1 M: 16. Scrap: TRIM 0.5 + 2 at 0.5 and DUST 0.4 at 1 are worth 1.65."""
	result = cost(shop, "P", 2)
	assert (result.stock, result.scrap, result.total) == (D(16), D("1.65"), D("14.35"))


def test_scrap_never_limits_capacity(shop):
	"""No stock of TRIM or DUST at all: 100 M still make as many P as without scrap."""
	without = catalog(
		{"M": {"stock": 100}},
		{"P": bom(("S", 2), ("M", 1), quantity=2), "S": bom({"item": "M", "qty": 3, "setup_qty": 1})},
	)
	assert capacity(shop, "P") == capacity(without, "P")
	assert capacity(shop, "P").limiting == ("M",)


@pytest.mark.parametrize(
	("qty", "reason"), [(0, "scrap.not_positive"), (-1, "scrap.not_positive"), ("x", "scrap.not_a_number")]
)
def test_scrap_quantity_must_be_above_zero(qty, reason):
	shop = catalog({"TRIM": {}}, {"P": with_scrap([("M", 1)], [{"item": "TRIM", "qty": qty}])})
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("bad_quantity", "P", "TRIM")
	assert problem.data["reason"] == reason
	assert "Scrap Qty" in problem.message and "TRIM" in problem.message
	with pytest.raises(BomError):
		explode(shop, "P", 1)


def test_unknown_scrap_item():
	shop = catalog(
		{"P": {}, "M": {}}, {"P": with_scrap([("M", 1)], [{"item": "GHOST", "qty": 1}])}, fill=False
	)
	[problem] = validate(shop)
	assert (problem.code, problem.bom, problem.item) == ("unknown_item", "P", "GHOST")
	assert "GHOST" in problem.message


@pytest.mark.parametrize(
	("scrap", "where"),
	[
		({"item": "T"}, "boms.P.scrap"),
		([{"qty": 1}], "boms.P.scrap[0].item"),
		([{"item": "T", "rate": 1}], "rate"),
		(["T"], "boms.P.scrap[0]"),
	],
)
def test_malformed_scrap_is_refused(scrap, where):
	data = {"items": {"P": {}, "M": {}, "T": {}}, "boms": {"P": {"lines": [{"item": "M"}], "scrap": scrap}}}
	with pytest.raises(ScenarioError) as error:
		catalog_from_dict(data)
	assert where in str(error.value)
