"""Capacity: the largest whole n one build can make from available stock, exactly."""

import pytest
from helpers import EXAMPLES, bom, catalog

from truecraft_bom.engine import BomError, Capacity, capacities, capacity, load_scenario


def test_shared_component_counted_jointly_across_levels():
	"""P needs 1 M directly and 2 M through S: 3 per unit, 31 in stock make 10."""
	shop = catalog({"M": {"stock": 31}}, {"P": bom(("M", 1), ("S", 1)), "S": bom(("M", 2))})
	assert capacity(shop, "P") == Capacity("P", 10, ("M",))


def test_limiting_names_every_material_that_stops_the_next_unit():
	"""A and B both run out at 5; C has room for more."""
	shop = catalog(
		{"A": {"stock": 10}, "B": {"stock": 5}, "C": {"stock": 100}},
		{"P": bom(("A", 2), ("B", 1), ("C", 1))},
	)
	assert capacity(shop, "P") == Capacity("P", 5, ("A", "B"))


def test_zero_when_one_unit_does_not_fit():
	shop = catalog({"M": {"stock": 1}, "N": {"stock": 50}}, {"P": bom(("M", 2), ("N", 1))})
	assert capacity(shop, "P") == Capacity("P", 0, ("M",))


def test_capacity_is_exact_at_decimal_boundaries():
	"""0.7 in stock at 0.1 per unit is 7; 1 in stock at a third per unit is 3."""
	tenths = catalog({"M": {"stock": 0.7}}, {"P": bom(("M", 0.1))})
	thirds = catalog({"M": {"stock": 1}}, {"P": bom(("M", 1), quantity=3)})
	assert capacity(tenths, "P").capacity == 7
	assert capacity(thirds, "P").capacity == 3


def test_huge_stock_stays_exact():
	"""Exact decimals have no size limit: 10^30 at 0.1 per unit is 10^31, shared or pooled."""
	shop = catalog(
		{"M": {"stock": "1e30"}, "N": {"stock": "1e30"}},
		{"P": bom(("M", "0.1")), "Q": bom(("M", "0.1"), {"item": "N", "qty": "0.3", "substitutes": ["M"]})},
	)
	assert capacity(shop, "P").capacity == 10**31
	assert capacity(shop, "Q").capacity == 5 * 10**30  # 0.4 per unit from 2 x 10^30


def test_overage_setup_and_rounding_count():
	"""1 per unit + 2% attrition + setup 2 from 53: n * 1.02 + 2 <= 53 gives 50 (51.02 + 2 > 53)."""
	shop = catalog({"M": {"stock": 53}}, {"P": bom({"item": "M", "qty": 1, "attrition": 2, "setup_qty": 2})})
	assert capacity(shop, "P").capacity == 50
	jars = catalog({"JAR": {"stock": 1, "whole_number": True}}, {"P": bom(("JAR", 0.3))})
	assert capacity(jars, "P").capacity == 3  # 0.9 -> 1 jar; 1.2 -> 2 jars


def test_setup_larger_than_stock_makes_none():
	shop = catalog({"M": {"stock": 5}}, {"P": bom({"item": "M", "qty": 0.1, "setup_qty": 5})})
	assert capacity(shop, "P").capacity == 0
	assert (
		capacity(
			catalog({"M": {"stock": 5.1}}, {"P": bom({"item": "M", "qty": 0.1, "setup_qty": 5})}), "P"
		).capacity
		== 1
	)


def test_unlimited_when_nothing_is_stock_tracked():
	"""Only consumable, non-stock and optional lines: capacity is None (unlimited)."""
	shop = catalog(
		{"LABOUR": {"is_stock": False}, "LABEL": {"stock": 0}, "BOX": {"stock": 0}},
		{
			"P": bom(
				("LABOUR", 1),
				{"item": "LABEL", "qty": 1, "consumable": True},
				{"item": "BOX", "qty": 1, "optional": True},
			)
		},
	)
	result = capacity(shop, "P")
	assert result.capacity is None
	assert result.limiting == ()
	assert result.as_dict() == {"item": "P", "capacity": None, "limiting": []}


def test_consumable_non_stock_and_optional_lines_do_not_limit():
	shop = catalog(
		{"M": {"stock": 4}, "LABOUR": {"is_stock": False}, "LABEL": {"stock": 0}, "BOX": {"stock": 1}},
		{
			"P": bom(
				("M", 1),
				("LABOUR", 1),
				{"item": "LABEL", "qty": 1, "consumable": True},
				{"item": "BOX", "qty": 1, "optional": True},
			)
		},
	)
	assert capacity(shop, "P") == Capacity("P", 4, ("M",))


def test_reserved_stock_is_not_available():
	"""Stock 10 with 4 reserved makes 6; more reserved than on hand makes 0, never negative."""
	shop = catalog({"M": {"stock": 10, "reserved": 4}}, {"P": bom(("M", 1))})
	assert capacity(shop, "P").capacity == 6
	over = catalog({"M": {"stock": 10, "reserved": 15}}, {"P": bom(("M", 1))})
	assert capacity(over, "P").capacity == 0


@pytest.fixture
def with_subassembly():
	"""P needs 1 S; S needs 1 M with a setup loss of 3. 5 S and 10 M on hand; 100 P on hand."""
	return catalog(
		{"P": {"stock": 100}, "S": {"stock": 5}, "M": {"stock": 10}},
		{"P": bom(("S", 1)), "S": bom({"item": "M", "qty": 1, "setup_qty": 3})},
	)


def test_subassembly_stock_ignored_by_default(with_subassembly):
	assert capacity(with_subassembly, "P").capacity == 7  # n + 3 <= 10


def test_subassembly_stock_used_first_when_asked(with_subassembly):
	"""5 S on hand, then builds of n - 5 need n - 5 + 3 <= 10 M: 12. P's own 100 never count."""
	assert capacity(with_subassembly, "P", use_subassembly_stock=True) == Capacity("P", 12, ("M",))


def test_subassembly_stock_above_what_materials_allow():
	shop = catalog(
		{"S": {"stock": 40}, "M": {"stock": 0}, "N": {"stock": 100}},
		{"P": bom(("S", 1), ("N", 2)), "S": bom(("M", 1))},
	)
	assert capacity(shop, "P").capacity == 0
	assert capacity(shop, "P", use_subassembly_stock=True) == Capacity("P", 40, ("M",))


def test_subassembly_stock_of_a_deeper_level():
	"""P -> S -> T -> M: 6 T on hand and 4 M make 10 P."""
	shop = catalog(
		{"T": {"stock": 6}, "M": {"stock": 4}},
		{"P": bom(("S", 1)), "S": bom(("T", 1)), "T": bom(("M", 1))},
	)
	assert capacity(shop, "P", use_subassembly_stock=True).capacity == 10


def test_subassembly_stock_does_not_starve_a_line_that_must_take_it_from_stock():
	"""P needs 1 S1 (built from 1 S2) and 1 S2 taken from stock (explode false); 5 S2 and 10 M on hand.

	Without the option: 5 (the explode-false line takes the 5 S2; S1's S2 are built from M). With it,
	the best allocation still gives those 5 S2 to the line that has no other source and builds S1's S2
	from M: 5. Handing the S2 on hand to S1 first (first-come) would leave the rigid line short at 3.
	"""
	shop = catalog(
		{"S2": {"stock": 5}, "M": {"stock": 10}},
		{
			"P": bom(("S1", 1), {"item": "S2", "qty": 1, "explode": False}),
			"S1": bom(("S2", 1)),
			"S2": bom(("M", 1)),
		},
	)
	assert capacity(shop, "P").capacity == 5
	assert capacity(shop, "P", use_subassembly_stock=True).capacity == 5


def test_substitutes_pool_their_stock():
	"""A line of 1 A that may use B: 3 A and 4 B make 7."""
	shop = catalog(
		{"A": {"stock": 3}, "B": {"stock": 4}}, {"P": bom({"item": "A", "qty": 1, "substitutes": ["B"]})}
	)
	result = capacity(shop, "P")
	assert result == Capacity("P", 7, ("A", "B"))


def test_flexible_line_must_not_starve_a_line_without_alternative():
	"""Line 1 prefers A but may use B; S needs A and nothing else. 10 A + 10 B make 10.

	First-come greedy would give line 1 the A it prefers and leave S short at 5.
	"""
	shop = catalog(
		{"A": {"stock": 10}, "B": {"stock": 10}},
		{"P": bom({"item": "A", "qty": 1, "substitutes": ["B"]}, ("S", 1)), "S": bom(("A", 1))},
	)
	result = capacity(shop, "P")
	assert result.capacity == 10
	assert "A" in result.limiting


def test_substitute_allocation_across_three_lines():
	"""X: A or B; Y: C or B; S needs only C. 4 each of A, B, C and 1 per unit on every line make 4.

	Optimal at 4: X takes A, Y takes B, S takes C. Preference-first greedy gives Y the C it prefers and
	starves S, which would only allow 2.
	"""
	shop = catalog(
		{"A": {"stock": 4}, "B": {"stock": 4}, "C": {"stock": 4}},
		{
			"P": bom(
				{"item": "A", "qty": 1, "substitutes": ["B"]},
				{"item": "C", "qty": 1, "substitutes": ["B"]},
				("S", 1),
			),
			"S": bom(("C", 1)),
		},
	)
	assert capacity(shop, "P").capacity == 4


UNEVEN_POOL = {
	"P": bom({"item": "A", "qty": 2, "substitutes": ["B"]}, ("S", 1), ("T", 1)),
	"S": bom({"item": "B", "qty": 1, "substitutes": ["A"]}),
	"T": bom(("B", 1)),
}


@pytest.mark.parametrize(("a", "b", "made"), [(6, 6, 3), (7, 5, 3), (12, 2, 2), (0, 12, 3), (2, 2, 1)])
def test_pooled_stock_split_unevenly(a, b, made):
	"""2 of A-or-B, 1 of B-or-A and 1 of only B per unit: 4n <= A + B and n <= B.

	At 6 A and 6 B: the B-only line takes 3 B, the B-or-A line the other 3 B, the A-or-B line 6 A.
	"""
	shop = catalog({"A": {"stock": a}, "B": {"stock": b}}, UNEVEN_POOL)
	assert capacity(shop, "P").capacity == made


def test_non_stock_substitute_leaves_the_line_unconstrained():
	"""A line that may fall back on a non-stock item never limits capacity."""
	shop = catalog(
		{"A": {"stock": 0}, "SERVICE": {"is_stock": False}, "M": {"stock": 9}},
		{"P": bom({"item": "A", "qty": 1, "substitutes": ["SERVICE"]}, ("M", 1))},
	)
	assert capacity(shop, "P").capacity == 9


def test_cycle_raises_bom_error_instead_of_looping():
	shop = catalog(
		{"M": {"stock": 5}}, {"P": bom(("S", 1)), "S": bom(("T", 1), ("M", 1)), "T": bom(("S", 1))}
	)
	with pytest.raises(BomError) as error:
		capacity(shop, "P")
	assert error.value.problems[0].code == "cycle"


def test_capacities_batch_equals_capacity_one_by_one():
	shop = load_scenario(EXAMPLES / "soap.json")
	found, failed = capacities(shop)
	assert failed == {}
	assert set(found) == {"SOAP-LAV", "SOAP-ROSE", "SOAP-EUC", "SOAP-GIFT-SET"}
	for code, result in found.items():
		assert result == capacity(shop, code)
	assert found["SOAP-LAV"].capacity == 53


def test_capacities_batch_with_subassembly_stock_and_substitutes():
	shop = catalog(
		{"A": {"stock": 10}, "B": {"stock": 10}, "S": {"stock": 3}, "N": {"stock": 7}},
		{
			"P": bom({"item": "A", "qty": 1, "substitutes": ["B"]}, ("S", 1)),
			"Q": bom(("S", 2), ("N", 1)),
			"S": bom(("A", 1)),
		},
	)
	for flag in (False, True):
		found, failed = capacities(shop, use_subassembly_stock=flag)
		assert failed == {}
		assert set(found) == {"P", "Q", "S"}
		for code, result in found.items():
			assert result == capacity(shop, code, use_subassembly_stock=flag)
	found, _ = capacities(shop, ["Q"], use_subassembly_stock=True)
	assert found["Q"].capacity == 6  # 3 S on hand + 10 A build 13 S: 6 Q need 12; N allows 7


def test_capacities_reports_broken_products_apart():
	shop = catalog(
		{"M": {"stock": 5}}, {"OK": bom(("M", 1)), "LOOP": bom(("LOOP2", 1)), "LOOP2": bom(("LOOP", 1))}
	)
	found, failed = capacities(shop)
	assert found == {"OK": Capacity("OK", 5, ("M",))}
	assert set(failed) == {"LOOP", "LOOP2"}
	assert all(isinstance(error, BomError) for error in failed.values())
