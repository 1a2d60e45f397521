"""The truecraft-bom command: the JSON shapes of docs/design.md, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from helpers import EXAMPLES, ROOT, D

from truecraft_bom.cli import main

SOAP = str(EXAMPLES / "soap.json")


def run(capsys, *argv):
	"""(exit code, parsed stdout or None, stderr) of one in-process run."""
	code = main([str(arg) for arg in argv])
	out, err = capsys.readouterr()
	return code, (json.loads(out, parse_float=Decimal) if out else None), err


def scenario(tmp_path, data, name="scenario.json") -> str:
	path = tmp_path / name
	path.write_text(json.dumps(data))
	return str(path)


@pytest.fixture
def workshop(tmp_path):
	"""P: 1 S (S stock 2, from 1 M), an optional BOX, LABOUR; M 5 in stock."""
	return scenario(
		tmp_path,
		{
			"items": {
				"P": {},
				"S": {"stock": 2},
				"M": {"stock": 5, "rate": 2},
				"BOX": {"stock": 0, "rate": 1},
				"LABOUR": {"is_stock": False, "rate": 10},
			},
			"boms": {
				"P": {
					"lines": [
						{"item": "S", "qty": 1},
						{"item": "BOX", "qty": 1, "optional": True},
						{"item": "LABOUR", "qty": 0.5},
					]
				},
				"S": {"lines": [{"item": "M", "qty": 1}]},
			},
		},
	)


def test_explode(capsys):
	code, out, err = run(capsys, "explode", SOAP, "SOAP-LAV", 10)
	assert (code, err) == (0, "")
	assert out == {
		"item": "SOAP-LAV",
		"qty": 10,
		"requirements": [
			{"item": "COCONUT-OIL", "qty": 80, "consumable": False, "non_stock": False},
			{"item": "LABEL", "qty": 10, "consumable": True, "non_stock": False},
			{"item": "LABOUR", "qty": 1, "consumable": False, "non_stock": True},
			{"item": "LAV-OIL", "qty": D("12.24"), "consumable": False, "non_stock": False},
			{"item": "LYE", "qty": 15, "consumable": False, "non_stock": False},
			{"item": "SHEA-BUTTER", "qty": 40, "consumable": False, "non_stock": False},
			{"item": "WRAP", "qty": 10, "consumable": False, "non_stock": False},
		],
		"scrap": [],
	}


def test_explode_include_optional(capsys, workshop):
	_code, out, _err = run(capsys, "explode", workshop, "P", 3)
	assert [r["item"] for r in out["requirements"]] == ["LABOUR", "M"]
	_code, out, _err = run(capsys, "explode", workshop, "P", 3, "--include-optional")
	assert [(r["item"], r["qty"]) for r in out["requirements"]] == [
		("BOX", 3),
		("LABOUR", D("1.5")),
		("M", 3),
	]


def test_explode_decimal_quantity(capsys):
	_code, out, _err = run(capsys, "explode", SOAP, "SOAP-LAV", "0.5")
	assert out["qty"] == D("0.5")
	assert {r["item"]: r["qty"] for r in out["requirements"]}["LAV-OIL"] == D("0.612")


def test_capacity(capsys):
	code, out, err = run(capsys, "capacity", SOAP, "SOAP-GIFT-SET")
	assert (code, err) == (0, "")
	assert out == {"item": "SOAP-GIFT-SET", "capacity": 33, "limiting": ["COCONUT-OIL", "SHEA-BUTTER"]}


def test_capacity_with_subassembly_stock(capsys, workshop):
	assert run(capsys, "capacity", workshop, "P")[1] == {"item": "P", "capacity": 5, "limiting": ["M"]}
	assert run(capsys, "capacity", workshop, "P", "--use-subassembly-stock")[1] == {
		"item": "P",
		"capacity": 7,
		"limiting": ["M"],
	}


def test_capacity_unlimited_is_null(capsys, tmp_path):
	path = scenario(
		tmp_path,
		{
			"items": {"P": {}, "LABOUR": {"is_stock": False}},
			"boms": {"P": {"lines": [{"item": "LABOUR", "qty": 1}]}},
		},
	)
	code, out, _err = run(capsys, "capacity", path, "P")
	assert code == 0
	assert out == {"item": "P", "capacity": None, "limiting": []}


def test_cost(capsys, workshop):
	code, out, _err = run(capsys, "cost", workshop, "P")
	assert code == 0
	assert out == {
		"item": "P",
		"qty": 1,
		"stock": 2,
		"consumable": 0,
		"non_stock": 5,
		"scrap": 0,
		"total": 7,
		"per_unit": 7,
	}
	_code, out, _err = run(capsys, "cost", workshop, "P", 4)
	assert (out["qty"], out["total"], out["per_unit"]) == (4, 28, 7)


def test_where_used(capsys):
	code, out, _err = run(capsys, "where-used", SOAP, "LYE")
	assert code == 0
	assert out == {"item": "LYE", "used_in": ["SOAP-EUC", "SOAP-GIFT-SET", "SOAP-LAV", "SOAP-ROSE"]}
	assert run(capsys, "where-used", SOAP, "SOAP-GIFT-SET")[1] == {"item": "SOAP-GIFT-SET", "used_in": []}


def test_validate_clean(capsys):
	assert run(capsys, "validate", SOAP) == (0, {"problems": []}, "")


def test_validate_with_problems_exits_1(capsys, tmp_path):
	path = scenario(
		tmp_path,
		{
			"items": {"P": {}, "M": {}},
			"boms": {"P": {"lines": [{"item": "M", "qty": 0}, {"item": "GHOST", "qty": 1}]}},
		},
	)
	code, out, err = run(capsys, "validate", path)
	assert (code, err) == (1, "")
	assert sorted((p["code"], p["bom"], p["item"]) for p in out["problems"]) == [
		("bad_quantity", "P", "M"),
		("unknown_item", "P", "GHOST"),
	]
	for problem in out["problems"]:
		assert set(problem) == {"code", "bom", "item", "message"}
		assert problem["message"]


def cycle_file(tmp_path):
	return scenario(
		tmp_path,
		{
			"items": {"A": {}, "B": {}},
			"boms": {"A": {"lines": [{"item": "B"}]}, "B": {"lines": [{"item": "A"}]}},
		},
		"cycle.json",
	)


FAILURES = [
	(["explode", "{missing}", "P", "1"], "no such file"),
	(["explode", "{invalid}", "P", "1"], "not valid JSON"),
	(["explode", "{malformed}", "P", "1"], "items"),
	(["explode", SOAP, "NOPE", "1"], "NOPE"),
	(["capacity", SOAP, "NOPE"], "NOPE"),
	(["cost", SOAP, "NOPE"], "NOPE"),
	(["where-used", SOAP, "NOPE"], "NOPE"),
	(["explode", SOAP, "SOAP-LAV", "abc"], "abc"),
	(["explode", SOAP, "SOAP-LAV", "0"], "Quantity must be a number above zero, not 0"),
	(["explode", SOAP, "SOAP-LAV", "-2"], "Quantity must be a number above zero, not -2"),
	(["cost", SOAP, "SOAP-LAV", "nan"], "Quantity must be a number above zero, not nan"),
	(["explode", SOAP, "LYE", "1"], "LYE"),
	(["capacity", SOAP, "LYE"], "LYE"),
	(["explode", "{cycle}", "A", "1"], "A → B → A"),
	(["capacity", "{cycle}", "A"], "cycle"),
	(["explode", "{broken}", "P", "1"], "M"),
	(["cost", "{broken}", "P"], 'Qty must be a number, not "x"'),
	(["explode", SOAP, "SOAP-LAV"], "usage"),
	(["capacity", SOAP], "usage"),
	(["validate"], "usage"),
	([], "usage"),
	(["melt", SOAP], "usage"),
	(["capacity", SOAP, "SOAP-LAV", "--fast"], "usage"),
	(["validate", "{missing}"], "no such file"),
]


@pytest.mark.parametrize(("argv", "words"), FAILURES)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, words):
	files = {
		"{missing}": str(tmp_path / "missing.json"),
		"{invalid}": str(tmp_path / "invalid.json"),
		"{malformed}": scenario(tmp_path, {"items": [], "boms": {}}, "malformed.json"),
		"{cycle}": cycle_file(tmp_path),
		"{broken}": scenario(
			tmp_path, {"items": {"P": {}, "M": {}}, "boms": {"P": [{"item": "M", "qty": "x"}]}}, "broken.json"
		),
	}
	(tmp_path / "invalid.json").write_text("{not json")
	code = main([files.get(arg, arg) for arg in argv])
	out, err = capsys.readouterr()
	assert code == 2
	assert out == ""
	assert err.endswith("\n") and err.count("\n") == 1, err
	assert "Traceback" not in err
	assert words in err


def subprocess_run(*argv):
	env = {**os.environ, "PYTHONPATH": str(ROOT)}
	return subprocess.run(
		[sys.executable, "-m", "truecraft_bom", *map(str, argv)],
		capture_output=True,
		text=True,
		cwd=ROOT,
		env=env,
		check=False,
	)


def test_module_entry_point_capacity():
	result = subprocess_run("capacity", SOAP, "SOAP-LAV")
	assert (result.returncode, result.stderr) == (0, "")
	assert json.loads(result.stdout) == {"item": "SOAP-LAV", "capacity": 53, "limiting": ["LAV-OIL"]}


def test_module_entry_point_validate_problems_exit_1(tmp_path):
	result = subprocess_run("validate", cycle_file(tmp_path))
	assert result.returncode == 1
	[problem] = json.loads(result.stdout)["problems"]
	assert problem["code"] == "cycle"
	assert "A → B → A" in problem["message"]


@pytest.mark.parametrize(
	"argv", [("explode", "missing.json", "P", "1"), ("explode", SOAP, "SOAP-LAV", "x"), ("capacity",)]
)
def test_module_entry_point_errors(argv):
	result = subprocess_run(*argv)
	assert result.returncode == 2
	assert result.stdout == ""
	assert len(result.stderr.splitlines()) == 1
	assert "Traceback" not in result.stderr
	assert result.stderr.startswith("truecraft-bom: ")
