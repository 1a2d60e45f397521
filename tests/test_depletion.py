"""What a sale takes from stock: finished stock first, then the materials of the shortfall, all or nothing."""

import pytest
from helpers import D, bom, catalog

from truecraft_bom.engine import Draw, NonStockCost, SaleLine, ShortageError, materials_of, plan_depletion


@pytest.fixture
def soap():
	"""SOAP: 1.2 LAV-OIL (or ROSE-OIL), 1 LABEL (consumable), 0.1 h LABOUR; KIT: 2 SOAP and a BOX."""
	return catalog(
		{
			"LAV-OIL": {"stock": 10},
			"ROSE-OIL": {"stock": 3},
			"LABEL": {"stock": 100},
			"BOX": {"stock": 4},
			"LABOUR": {"is_stock": False, "rate": 20},
		},
		{
			"SOAP": bom(
				{"item": "LAV-OIL", "qty": "1.2", "substitutes": ["ROSE-OIL"]},
				{"item": "LABEL", "qty": 1, "consumable": True},
				("LABOUR", "0.1"),
			),
			"KIT": bom(("SOAP", 2), ("BOX", 1)),
		},
	)


def test_finished_stock_first_then_build_the_rest(soap):
	[build] = plan_depletion(soap, [SaleLine("SOAP", 5, finished_available=2)])
	assert (build.sold, build.from_stock, build.qty) == (D(5), D(2), D(3))
	assert build.materials == (Draw("LAV-OIL", D("3.6")),)
	assert build.non_stock == (NonStockCost("LABOUR", D("0.3"), D(20), D(6)),)
	assert build.non_stock_amount == D(6)


def test_nothing_to_build(soap):
	[build] = plan_depletion(soap, [SaleLine("SOAP", 2, finished_available=5)])
	assert (build.from_stock, build.qty, build.materials, build.non_stock) == (D(2), D(0), (), ())


def test_consumables_only_when_asked(soap):
	[build] = plan_depletion(soap, [SaleLine("SOAP", 1)], deplete_consumables=True)
	assert build.materials == (Draw("LABEL", D(1)), Draw("LAV-OIL", D("1.2")))


def test_lines_of_one_sale_draw_jointly_and_substitutes_make_up_the_rest(soap):
	"""SOAP x 5 and KIT x 2 (4 more SOAP) need 10.8 oil: all 10 LAV-OIL, then 0.8 ROSE-OIL."""
	builds = plan_depletion(soap, [SaleLine("SOAP", 5), SaleLine("KIT", 2)])
	drawn = {}
	for build in builds:
		for draw in build.materials:
			drawn[draw.item] = drawn.get(draw.item, 0) + draw.qty
	assert drawn == {"LAV-OIL": D(10), "ROSE-OIL": D("0.8"), "BOX": D(2)}
	assert [build.qty for build in builds] == [D(5), D(2)]


def test_shortage_names_every_short_material_and_what_can_be_sold(soap):
	with pytest.raises(ShortageError) as error:
		plan_depletion(soap, [SaleLine("SOAP", 20, finished_available=1), SaleLine("KIT", 5)])
	shortfalls = {(s.items, s.needed, s.available) for s in error.value.shortfalls}
	assert shortfalls == {(("LAV-OIL", "ROSE-OIL"), D("34.8"), D(13)), (("BOX",), D(5), D(4))}
	assert error.value.sellable == {"SOAP": D(11), "KIT": D(4)}  # 13 / 1.2 = 10 built + 1 on hand
	assert "Nothing was posted" in str(error.value)


def test_materials_of_lists_what_a_build_may_lock(soap):
	assert materials_of(soap, ["KIT"]) == {"LAV-OIL", "ROSE-OIL", "LABEL", "BOX"}
