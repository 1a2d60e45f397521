"""The line rule table: the engine's Line, the scenario keys and the bounds checks all follow it."""

import dataclasses
from fractions import Fraction

import pytest
from helpers import bom, catalog

from truecraft_bom.engine import LINE_RULES, RULES, Line, catalog_from_dict, validate
from truecraft_bom.engine.rules import KINDS, normalise

NUMERIC = [rule for rule in LINE_RULES if rule.numeric]


def test_the_rules():
	assert [rule.name for rule in LINE_RULES] == [
		"setup_qty",
		"attrition",
		"rounding_multiple",
		"consumable",
		"optional",
		"inherited",
		"reference",
		"note",
	]
	assert set(RULES) == {rule.name for rule in LINE_RULES}
	for rule in LINE_RULES:
		assert rule.kind in KINDS
		assert rule.field == f"tc_{rule.name}"
		assert rule.label and rule.description
		assert bool(rule.problem) == rule.numeric
	assert {rule.name: rule.grid_columns for rule in LINE_RULES if rule.grid_columns} == {
		"setup_qty": 1,
		"attrition": 1,
		"consumable": 1,
		"optional": 1,
		"inherited": 1,
	}


def test_every_rule_is_a_line_attribute_with_the_rule_default():
	fields = {field.name: field.default for field in dataclasses.fields(Line)}
	for rule in LINE_RULES:
		assert rule.name in fields
		assert fields[rule.name] == rule.default
		assert getattr(Line("M"), rule.name) == rule.default


def test_line_normalises_rule_values_by_kind():
	"""What an adapter reads from a database row: numbers as text or float, flags as 0/1, text as None."""
	line = Line("M", setup_qty="2.5", attrition=1.5, rounding_multiple=None, consumable=1, note=None)
	assert (line.setup_qty, line.attrition, line.rounding_multiple) == (Fraction(5, 2), Fraction(3, 2), None)
	assert (line.consumable, line.optional, line.note) == (True, False, "")
	assert normalise(RULES["rounding_multiple"], None) is None


@pytest.mark.parametrize("rule", LINE_RULES, ids=lambda rule: rule.name)
def test_every_rule_is_a_scenario_line_key(rule):
	value = {"quantity": "2", "percent": "2", "flag": True, "text": "R1"}[rule.kind]
	data = {"items": {"P": {}, "M": {}}, "boms": {"P": [{"item": "M", rule.name: value}]}}
	line = catalog_from_dict(data).boms["P"].lines[0]
	assert getattr(line, rule.name) == (Fraction(value) if rule.numeric else value)


def breaking(rule):
	"""A value below the rule's bounds, and one at its exclusive upper bound when it has one."""
	values = [rule.minimum - 1 if rule.minimum is not None else Fraction(-1)]
	if rule.positive:
		values.append(Fraction(0))
	if rule.below is not None:
		values.append(rule.below)
	return values


@pytest.mark.parametrize("rule", NUMERIC, ids=lambda rule: rule.name)
def test_bounds_of_every_number_rule_are_checked(rule):
	for value in breaking(rule):
		shop = catalog(boms={"P": bom({"item": "M", "qty": 1, rule.name: str(value)})})
		[problem] = validate(shop)
		assert (problem.code, problem.bom, problem.item) == (rule.problem, "P", "M")
		assert problem.data["field"] == rule.name
		assert rule.label in problem.message


@pytest.mark.parametrize("rule", NUMERIC, ids=lambda rule: rule.name)
def test_an_unreadable_number_is_the_rule_problem(rule):
	shop = catalog(boms={"P": bom({"item": "M", "qty": 1, rule.name: "lots"})})
	[problem] = validate(shop)
	assert (problem.code, problem.data["reason"]) == (rule.problem, "line.not_a_number")
	assert rule.label in problem.message and "lots" in problem.message


@pytest.mark.parametrize(
	("name", "value", "reason"),
	[
		("setup_qty", 0, None),
		("setup_qty", -1, "below_minimum"),
		("attrition", "99.99", None),
		("attrition", 100, "out_of_range"),
		("attrition", -1, "out_of_range"),
		("rounding_multiple", "0.5", None),
		("rounding_multiple", 0, "not_positive"),
	],
)
def test_violation(name, value, reason):
	assert RULES[name].violation(Fraction(value)) == reason
