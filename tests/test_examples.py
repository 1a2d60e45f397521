"""The scenario files in examples/: all valid, and their headline numbers."""

import dataclasses

import pytest
from helpers import EXAMPLES, D, needs

from truecraft_bom.cli import main
from truecraft_bom.engine import (
	Capacity,
	capacities,
	capacity,
	cost,
	explode,
	load_scenario,
	validate,
	where_used,
)

FILES = sorted(EXAMPLES.glob("*.json"))


def test_the_examples_are_there():
	assert {path.name for path in FILES} >= {"soap.json", "pottery.json", "electronics.json"}


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_example_validates_clean(path, capsys):
	shop = load_scenario(path)
	assert validate(shop) == []
	assert main(["validate", str(path)]) == 0
	assert capsys.readouterr().out.split() == ["{", '"problems":', "[]", "}"]
	_found, failed = capacities(shop)
	assert failed == {}


# soap.json


@pytest.fixture(scope="module")
def soap():
	return load_scenario(EXAMPLES / "soap.json")


def test_soap_lavender_bars(soap):
	"""65 oz of lavender oil at 1.2 oz + 2% per bar: 53 bars."""
	assert capacity(soap, "SOAP-LAV") == Capacity("SOAP-LAV", 53, ("LAV-OIL",))


def test_soap_gift_set(soap):
	"""Three bars of 8 oz coconut and 4 oz shea each: 800 / 24 and 400 / 12 both stop at 33."""
	assert capacity(soap, "SOAP-GIFT-SET") == Capacity("SOAP-GIFT-SET", 33, ("COCONUT-OIL", "SHEA-BUTTER"))


def test_soap_every_product(soap):
	found, _failed = capacities(soap)
	assert {code: result.capacity for code, result in found.items()} == {
		"SOAP-EUC": 34,  # 51.5 / 1.5
		"SOAP-GIFT-SET": 33,
		"SOAP-LAV": 53,
		"SOAP-ROSE": 87,  # 87.5 / 1
	}


# pottery.json: 8 forms x 15 glazes from one MUG BOM


@pytest.fixture(scope="module")
def pottery():
	return load_scenario(EXAMPLES / "pottery.json")


def test_pottery_has_120_mugs_and_no_mug_boms(pottery):
	mugs = [code for code, item in pottery.items.items() if item.variant_of == "MUG"]
	assert len(mugs) == 120
	assert not set(mugs) & set(pottery.boms)
	forms = {pottery.items[code].attributes["Form"] for code in mugs}
	glazes = {pottery.items[code].attributes["Glaze"] for code in mugs}
	assert (len(forms), len(glazes)) == (8, 15)
	found, failed = capacities(pottery, mugs)
	assert failed == {}
	assert all(result.capacity is not None for result in found.values())


def test_pottery_glaze_limits_a_classic_celadon(pottery):
	"""0.15 kg + 10% of celadon per mug, 4 kg on hand: 24 mugs."""
	assert capacity(pottery, "MUG-CLASSIC-CELADON") == Capacity("MUG-CLASSIC-CELADON", 24, ("GLAZE-CELADON",))


def test_pottery_clay_limits_a_clear_tankard(pottery):
	"""0.65 kg body + 0.06 kg handle of clay, 25 kg on hand: 35 tankards."""
	assert capacity(pottery, "MUG-TANKARD-CLEAR") == Capacity("MUG-TANKARD-CLEAR", 35, ("CLAY",))


def test_pottery_espresso_explosion(pottery):
	"""Espresso bodies override the wheel time (0.15 h); handles add clay and pulling time."""
	result = explode(pottery, "MUG-ESPRESSO-COPPER-RED", 10)
	assert needs(result) == {
		"CLAY": D("2.6"),
		"GLAZE-COPPER-RED": D("1.65"),
		"KILN-FIRING": D(10),
		"WAX-RESIST": D("0.05"),
		"WHEEL-TIME": D(2),
	}
	assert result.builds == {"BODY-ESPRESSO": D(10), "HANDLE": D(10)}
	assert "HANDLE" not in explode(pottery, "MUG-YUNOMI-ASH", 1).builds


def test_pottery_cost(pottery):
	result = cost(pottery, "MUG-CLASSIC-CELADON")
	assert (result.stock, result.consumable, result.non_stock, result.total) == (
		D("5.832"),
		D("0.075"),
		D("5.3"),
		D("11.207"),
	)


def test_pottery_glaze_used_by_its_eight_mugs(pottery):
	assert where_used(pottery, "GLAZE-SAGE") == tuple(
		f"MUG-{form}-SAGE"
		for form in ("BELLY", "CLASSIC", "ESPRESSO", "LATTE", "TALL", "TANKARD", "TUMBLER", "YUNOMI")
	)


# electronics.json: speaker -> mainboard -> PCBA -> components


@pytest.fixture(scope="module")
def electronics():
	return load_scenario(EXAMPLES / "electronics.json")


def test_electronics_capacity_pools_the_two_mcus(electronics):
	"""30 STM32 + 42 GD32 may stand in for each other: 72 speakers; without the GD32 only 30."""
	assert capacity(electronics, "BT-SPEAKER") == Capacity("BT-SPEAKER", 72, ("MCU-GD32", "MCU-STM32"))
	no_gd32 = electronics.replace_items([dataclasses.replace(electronics.items["MCU-GD32"], stock=0)])
	assert capacity(no_gd32, "BT-SPEAKER").capacity == 30


def test_electronics_explosion_of_ten(electronics):
	result = explode(electronics, "BT-SPEAKER", 10)
	assert needs(result) == {
		"BATTERY-18650": D(10),
		"BT-MODULE": D(10),
		"CAP-10UF-MURATA": D(123),  # 120 x 1.02 = 122.4, whole units
		"DRIVER-40MM": D(20),
		"ENCLOSURE": D(10),
		"FFC-CABLE": D(10),
		"HEATSINK": D(10),
		"LABOUR": D(4),  # 2.5 + 1 + 0.5 hours
		"MCU-STM32": D(10),
		"PCB-BARE": D(11),  # 10.3 -> 11
		"RES-10K": D(225),  # 200 + reel setup 25
		"SCREW-M3": D(82),  # 80 + 2 dropped
		"SOLDER-PASTE": D("0.2"),
		"THREADLOCK": D("0.01"),
		"USB-C-PORT": D(10),
		"WIRE-22AWG": D("3.5"),
	}
	assert result.builds == {"MAINBOARD-ASSY": D(10), "PCBA": D(10)}
	assert "GIFT-BOX" in needs(explode(electronics, "BT-SPEAKER", 10, include_optional=True))


def test_electronics_cost_of_ten(electronics):
	result = cost(electronics, "BT-SPEAKER", 10)
	assert (result.stock, result.consumable, result.non_stock) == (D("267.72"), D("12.8"), D(112))
	assert (result.total, result.per_unit) == (D("392.52"), D("39.252"))


def test_electronics_substitute_is_used_where(electronics):
	assert where_used(electronics, "CAP-10UF-SAMSUNG") == ("BT-SPEAKER", "MAINBOARD-ASSY", "PCBA")
