"""Scenario files: the overage shorthand, and malformed files refused with one clear ScenarioError."""

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from helpers import EXAMPLES, D, needs

from truecraft_bom.engine import ScenarioError, catalog_from_dict, explode, load_scenario, parse_overage


def line_of(fields):
	data = {"items": {"P": {}, "M": {}}, "boms": {"P": {"lines": [{"item": "M", "qty": 10, **fields}]}}}
	return catalog_from_dict(data).boms["P"].lines[0]


@pytest.mark.parametrize(
	("overage", "setup", "attrition"),
	[
		("3", 3, 0),
		("5%", 0, 5),
		(3, 3, 0),
		("2.5 %", 0, Fraction(5, 2)),
		(" 0.5 ", Fraction(1, 2), 0),
		("0", 0, 0),
	],
)
def test_overage_shorthand(overage, setup, attrition):
	line = line_of({"overage": overage})
	assert (line.setup_qty, line.attrition) == (setup, attrition)
	assert line.defects == ()


def test_overage_shorthand_in_explosion():
	"""10 per unit: "5%" needs 10.5 for one unit, "3" needs 13."""
	for overage, expected in (("5%", "10.5"), ("3", "13")):
		data = {
			"items": {"P": {}, "M": {}},
			"boms": {"P": {"lines": [{"item": "M", "qty": 10, "overage": overage}]}},
		}
		assert needs(explode(catalog_from_dict(data), "P", 1)) == {"M": D(expected)}


def test_parse_overage():
	assert parse_overage("3") == (3, 0)
	assert parse_overage("5%") == (0, 5)
	assert parse_overage("five") is None
	assert parse_overage(True) is None


def test_setup_qty_and_attrition_fields():
	line = line_of({"setup_qty": 2, "attrition": 1.5})
	assert (line.setup_qty, line.attrition) == (2, Fraction(3, 2))


def test_json_numbers_are_read_exactly(tmp_path):
	path = tmp_path / "s.json"
	path.write_text('{"items": {"M": {"stock": 63.6, "rate": 0.1}}, "boms": {}}')
	item = load_scenario(path).items["M"]
	assert item.stock == Fraction(636, 10)
	assert item.rate == Fraction(1, 10)


def test_defaults():
	shop = catalog_from_dict({"items": {"M": {}, "P": None}, "boms": {"P": [{"item": "M"}]}})
	item = shop.items["M"]
	assert (item.is_stock, item.stock, item.reserved, item.rate, item.whole_number) == (True, 0, 0, 0, False)
	assert (item.variant_of, item.has_variants, item.attributes) == (None, False, {})
	bom = shop.boms["P"]
	assert bom.quantity == 1
	line = bom.lines[0]
	assert (line.qty, line.setup_qty, line.attrition, line.rounding_multiple) == (1, 0, 0, None)
	assert (line.consumable, line.optional, line.inherited, line.explode, line.substitutes) == (
		False,
		False,
		False,
		True,
		(),
	)


def test_soap_example_loads():
	shop = load_scenario(EXAMPLES / "soap.json")
	assert shop.items["LAV-OIL"].stock == 65
	assert shop.boms["SOAP-LAV"].lines[0].attrition == 2


MALFORMED = [
	([], "top level"),
	({"items": [], "boms": {}}, "'items'"),
	({"items": {}, "boms": []}, "'boms'"),
	({"items": {}, "boms": {}, "extra": 1}, "extra"),
	({"items": {"M": 5}}, "items.M"),
	({"items": {"M": {"colour": "red"}}}, "colour"),
	({"items": {"M": {"stock": "lots"}}}, "items.M.stock"),
	({"items": {"M": {"stock": True}}}, "items.M.stock"),
	({"items": {"M": {"reserved": [1]}}}, "items.M.reserved"),
	({"items": {"M": {"rate": {}}}}, "items.M.rate"),
	({"items": {"M": {"is_stock": "yes"}}}, "items.M.is_stock"),
	({"items": {"M": {"whole_number": 2}}}, "items.M.whole_number"),
	({"items": {"M": {"variant_of": 7}}}, "items.M.variant_of"),
	({"items": {"M": {"attributes": ["Glaze"]}}}, "items.M.attributes"),
	({"items": {"M": {"attributes": {"Glaze": ["Red"]}}}}, "items.M.attributes"),
	({"items": {"P": {}}, "boms": {"P": 3}}, "boms.P"),
	({"items": {"P": {}}, "boms": {"P": None}}, "boms.P"),
	({"items": {"P": {}}, "boms": {"P": {"lines": {}}}}, "boms.P.lines"),
	({"items": {"P": {}}, "boms": {"P": {"qty": 1}}}, "qty"),
	({"items": {"P": {}}, "boms": {"P": {"lines": ["M"]}}}, "boms.P.lines[0]"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"qty": 1}]}}}, "boms.P.lines[0].item"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": 5}]}}}, "boms.P.lines[0].item"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "colour": 1}]}}}, "colour"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "optional": "no"}]}}}, "optional"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "explode": None}]}}}, "explode"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "substitutes": [1]}]}}}, "substitutes"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "substitutes": {"N": 1}}]}}}, "substitutes"),
	({"items": {"P": {}}, "boms": {"P": {"lines": [{"item": "M", "note": 5}]}}}, "note"),
]


@pytest.mark.parametrize(("data", "where"), MALFORMED)
def test_malformed_scenario_raises_scenario_error(data, where):
	with pytest.raises(ScenarioError) as error:
		catalog_from_dict(data)
	assert where in str(error.value)
	assert "\n" not in str(error.value)


@pytest.mark.parametrize(("data", "where"), MALFORMED)
def test_malformed_scenario_file(tmp_path, data, where):
	path = tmp_path / "bad.json"
	path.write_text(json.dumps(data))
	with pytest.raises(ScenarioError) as error:
		load_scenario(path)
	assert where in str(error.value)
	assert str(path) in str(error.value)


@pytest.mark.parametrize(
	("content", "words"),
	[
		(None, "no such file"),
		("", "not valid JSON"),
		('{"items": {', "not valid JSON"),
		(b"\xff\xfe\x00garbage", "UTF-8"),
	],
)
def test_unreadable_files(tmp_path, content, words):
	path = tmp_path / "scenario.json"
	if isinstance(content, bytes):
		path.write_bytes(content)
	elif content is not None:
		path.write_text(content)
	with pytest.raises(ScenarioError) as error:
		load_scenario(path)
	assert words in str(error.value)


def test_directory_is_not_a_scenario(tmp_path):
	with pytest.raises(ScenarioError) as error:
		load_scenario(tmp_path)
	assert "directory" in str(error.value)


def test_unreadable_line_values_become_validation_problems():
	"""A line quantity or overage that cannot be read is kept for validate, not refused outright."""
	data = {
		"items": {"P": {}, "M": {}},
		"boms": {"P": {"lines": [{"item": "M", "qty": "x", "overage": "y"}]}},
	}
	line = catalog_from_dict(data).boms["P"].lines[0]
	assert sorted(defect.code for defect in line.defects) == ["bad_overage", "bad_quantity"]
	assert line.qty is None


def test_decimal_values_accepted():
	data = {
		"items": {"M": {"stock": Decimal("1.5")}, "P": {}},
		"boms": {"P": {"lines": [{"item": "M", "qty": "0.5"}]}},
	}
	assert catalog_from_dict(data).boms["P"].lines[0].qty == Fraction(1, 2)
