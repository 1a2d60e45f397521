"""The six worked capacity examples of the ATUM WooCommerce "BOM Stock Control" help page, with their
follow-ups."""

from helpers import bom, catalog, with_stock

from truecraft_bom.engine import capacities, capacity


def made(catalog, product):
	return capacity(catalog, product).capacity


def test_example_1_single_line():
	"""Product A needs 1 Raw Material A; 10 in stock make 10, reduced to 5 make 5."""
	shop = catalog({"RM-A": {"stock": 10}}, {"PRODUCT-A": bom(("RM-A", 1))})
	assert made(shop, "PRODUCT-A") == 10
	assert made(with_stock(shop, {"RM-A": 5}), "PRODUCT-A") == 5


def test_example_2_two_units_of_one_material():
	"""Two units each: 10 in stock make 5, reduced to 8 make 4; at three units each, 10 make 3."""
	shop = catalog({"RM-A": {"stock": 10}}, {"PRODUCT-A": bom(("RM-A", 2))})
	assert made(shop, "PRODUCT-A") == 5
	assert made(with_stock(shop, {"RM-A": 8}), "PRODUCT-A") == 4
	amended = catalog({"RM-A": {"stock": 10}}, {"PRODUCT-A": bom(("RM-A", 3))})
	assert made(amended, "PRODUCT-A") == 3  # floor(10 / 3)


def test_example_3_two_materials():
	"""1 of A (10) and 1 of B (5) make 5, limited by B; A reduced to 3 makes 3, limited by A."""
	shop = catalog(
		{"RM-A": {"stock": 10}, "RM-B": {"stock": 5}}, {"PRODUCT-A": bom(("RM-A", 1), ("RM-B", 1))}
	)
	result = capacity(shop, "PRODUCT-A")
	assert (result.capacity, result.limiting) == (5, ("RM-B",))
	result = capacity(with_stock(shop, {"RM-A": 3}), "PRODUCT-A")
	assert (result.capacity, result.limiting) == (3, ("RM-A",))


def test_example_4_nested_bom():
	"""A needs 1 RM-A which needs 1 nested material (20): both make 20; nested reduced to 10 makes 10."""
	shop = catalog(
		{"NESTED": {"stock": 20}},
		{"RM-A": bom(("NESTED", 1)), "PRODUCT-A": bom(("RM-A", 1))},
	)
	assert made(shop, "RM-A") == 20
	assert made(shop, "PRODUCT-A") == 20
	lower = with_stock(shop, {"NESTED": 10})
	assert made(lower, "PRODUCT-A") == 10
	assert capacity(lower, "PRODUCT-A").limiting == ("NESTED",)


def test_example_5_shared_nested_material():
	"""RM-A and RM-B each need 1 of the same nested material (20): each makes 20, Product A only 10."""
	shop = catalog(
		{"NESTED": {"stock": 20}},
		{
			"RM-A": bom(("NESTED", 1)),
			"RM-B": bom(("NESTED", 1)),
			"PRODUCT-A": bom(("RM-A", 1), ("RM-B", 1)),
		},
	)
	assert made(shop, "RM-A") == 20
	assert made(shop, "RM-B") == 20
	assert made(shop, "PRODUCT-A") == 10
	assert made(with_stock(shop, {"NESTED": 21}), "PRODUCT-A") == 10
	assert made(with_stock(shop, {"NESTED": 22}), "PRODUCT-A") == 11


def test_example_6_two_products_share_material():
	"""A needs 1, B needs 2 of the same material (10): 10 and 5; reduced to 8: 8 and 4."""
	shop = catalog(
		{"RM-A": {"stock": 10}},
		{"PRODUCT-A": bom(("RM-A", 1)), "PRODUCT-B": bom(("RM-A", 2))},
	)
	found, failed = capacities(shop)
	assert failed == {}
	assert {code: result.capacity for code, result in found.items()} == {"PRODUCT-A": 10, "PRODUCT-B": 5}
	found, _failed = capacities(with_stock(shop, {"RM-A": 8}))
	assert {code: result.capacity for code, result in found.items()} == {"PRODUCT-A": 8, "PRODUCT-B": 4}
