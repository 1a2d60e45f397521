"""Messages: one template per message, English for logs and the CLI, translated and emphasized for the desk."""

import ast
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import bom, catalog

from truecraft_bom import messages
from truecraft_bom.engine import (
	BomError,
	NoBomError,
	Problem,
	QuantityError,
	ScenarioError,
	ShortageError,
	Shortfall,
	UnknownItemError,
	validate,
)
from truecraft_bom.engine.errors import PROBLEM_CODES

MESSAGES = Path(messages.__file__)


def bold(text):
	return f"<b>{text}</b>"


def test_every_problem_code_has_a_template():
	assert set(PROBLEM_CODES) <= set(messages.TEMPLATES)


def test_every_template_is_marked_for_translation():
	"""Frappe's extractor finds ``_("...")`` calls: every template and title must be one."""
	tree = ast.parse(MESSAGES.read_text())
	for node in ast.walk(tree):
		if isinstance(node, ast.AnnAssign) and node.target.id in ("TEMPLATES", "TITLES"):
			for value in node.value.values:
				assert isinstance(value, ast.Call) and value.func.id == "_", ast.unparse(value)


def test_messages_import_nothing_of_frappe_or_the_engine():
	tree = ast.parse(MESSAGES.read_text())
	top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
	modules = {node.module if isinstance(node, ast.ImportFrom) else node.names[0].name for node in top_level}
	assert not {
		module for module in modules if module.split(".")[0] in ("frappe", "erpnext", "truecraft_bom")
	}


def test_str_of_an_error_is_english():
	assert str(UnknownItemError("NOPE")) == "Item NOPE not found"
	assert str(NoBomError("LYE")) == "LYE has no default BOM (and inherits no BOM lines from a template)"
	assert str(QuantityError("abc")) == "Quantity must be a number above zero, not abc"
	assert str(ScenarioError("scenario.no_file", {"where": "x.json"})) == "x.json: no such file"


def test_translate_and_emphasize():
	german = {"Item {item} not found": "Artikel {item} nicht gefunden", "Qty": "Menge"}
	problem = validate(catalog(boms={"P": bom(("M", 0))}))[0]
	translated = messages.problem_message(problem, translate=lambda t: german.get(t, t), emphasize=bold)
	assert translated == "BOM of <b>P</b>, line <b>M</b>: Menge must be above zero, not 0"
	error = UnknownItemError("X")
	assert (
		messages.error_message(error, lambda t: german.get(t, t), bold) == "Artikel <b>X</b> nicht gefunden"
	)


def test_a_translation_that_breaks_a_placeholder_falls_back_to_english():
	for broken in ("Artikel nicht gefunden", "Artikel {0} nicht gefunden", "Artikel {item nicht"):
		assert (
			messages.render("unknown_item", {"item": "X"}, translate=lambda _t, b=broken: b)
			== "Item X not found"
		)


def test_html_escapes_every_value_not_emphasized():
	problem = Problem("duplicate_line", "P<1>", "M&M")
	assert messages.problem_message(problem, html=True) == (
		"BOM of P&lt;1&gt;: M&amp;M is on more than one line; merge them into one line"
	)
	error = BomError([problem, Problem("self_substitute", "P", "<script>")])
	assert messages.error_message(error, html=True) == (
		"<ul><li>BOM of P&lt;1&gt;: M&amp;M is on more than one line; merge them into one line</li>"
		"<li>BOM of P, line &lt;script&gt;: an item cannot be its own substitute</li></ul>"
	)


def test_several_problems_as_plain_lines():
	error = BomError([Problem("duplicate_line", "P", "M"), Problem("self_substitute", "P", "N")])
	assert str(error) == (
		"- BOM of P: M is on more than one line; merge them into one line\n"
		"- BOM of P, line N: an item cannot be its own substitute"
	)
	assert str(BomError([Problem("duplicate_line", "P", "M")])) == (
		"BOM of P: M is on more than one line; merge them into one line"
	)


@pytest.fixture
def shortage():
	return ShortageError(
		[
			Shortfall(("LAV-OIL",), Decimal("97.94"), Decimal(65)),
			Shortfall(("A", "B"), Decimal(5), Decimal(3)),
		],
		{"SOAP": Decimal(53), "KIT": None},
	)


def test_shortage_in_plain_words(shortage):
	assert str(shortage) == (
		"Not enough materials to make what was sold. Nothing was posted.\n"
		"- LAV-OIL: needed 97.94, available 65\n"
		"- A / B: needed 5, available 3\n"
		"Most that can be sold now:\n"
		"- SOAP: 53\n"
		"- KIT: unlimited"
	)


def test_shortage_on_the_desk(shortage):
	context = {"warehouse": "Stores <WP>", "doctype": "Sales Invoice"}
	assert messages.error_message(shortage, emphasize=bold, html=True, context=context) == (
		"Not enough materials in <b>Stores <WP></b> to make what this Sales Invoice sells. Nothing was posted."
		"<ul><li><b>LAV-OIL</b>: needed 97.94, available 65</li><li><b>A</b> / <b>B</b>: needed 5, available 3</li></ul>"
		"Most that can be sold now:<ul><li><b>SOAP</b>: 53</li><li><b>KIT</b>: unlimited</li></ul>"
	)
	shortage.data.update(context)
	assert str(shortage).startswith(
		"Not enough materials in Stores <WP> to make what this Sales Invoice sells."
	)


def test_titles(shortage):
	assert messages.title(shortage) == "Not Enough Materials"
	assert messages.title(BomError([]), translate=str.upper) == "BOM PROBLEMS"
	assert messages.title(UnknownItemError("X")) is None


def test_numbers_are_plain():
	data = {"value": Decimal("1E+1"), "minimum": Decimal("0.50"), "below": Decimal(100)}
	text = messages.render(
		"line.out_of_range", {**data, "bom": "P", "item": "M", "label": "Attrition %", "unit": "%"}
	)
	assert text == "BOM of P, line M: Attrition % must be at least 0.5% and below 100%, not 10%"


def test_unknown_code_still_says_something():
	assert (
		messages.render("no_such_code", {"item": "X"}) == "The BOM engine refused the request (no_such_code)"
	)


@pytest.mark.parametrize(
	"error",
	[
		UnknownItemError("X"),
		NoBomError("Y"),
		QuantityError("0"),
		ScenarioError("scenario.no_file", {"where": "x.json"}),
		BomError([Problem("duplicate_line", "P", "M")]),
		ShortageError([Shortfall(("A",), Decimal(2), Decimal(1))], {"P": Decimal(0)}),
	],
	ids=lambda error: type(error).__name__,
)
def test_errors_survive_pickling(error):
	copy = pickle.loads(pickle.dumps(error))
	assert type(copy) is type(error)
	assert (copy.code, copy.data, str(copy)) == (error.code, error.data, str(error))


def test_reserved_stock_names_the_material_what_is_free_and_the_orders():
	"""A document that would take stock Work Orders hold (truecraft_bom.reservation)."""
	conflicts = [
		{"item": "WAX", "warehouse": "Stores", "needed": 95.0, "free": 94.35, "orders": [("WO-1", 5.65)]},
		{"item": "WICK", "warehouse": "Stores", "needed": 3, "free": 1, "orders": []},
	]
	assert messages.reserved_message(conflicts, doctype="Stock Entry").splitlines() == [
		"Stock reserved for production: this Stock Entry cannot take it. Nothing was posted.",
		"- WAX in Stores: needed 95, free 94.35; held by Work Order WO-1 (5.65)",
		"- WICK in Stores: needed 3, free 1",
	]
	html = messages.reserved_message(conflicts[1:], emphasize=bold, html=True, doctype="Work Order")
	assert html == (
		"Not enough free stock for this Work Order. Nothing was posted."
		"<ul><li><b>WICK</b> in <b>Stores</b>: needed 3, free 1</li></ul>"
	)
