"""Fuzzing: random and malformed scenarios end in a result or the engine's own error, never a crash or a hang.

docs/design.md, Scenario files: a malformed file is refused with one sentence naming the place (ScenarioError);
an unreadable line number is a validation problem; every engine operation on what was read either answers or
raises an ``EngineError`` whose message renders. Anything else (TypeError, KeyError, RecursionError, ...) or an
example slower than the deadline fails.

By default the whole module runs in a few seconds. ``TRUECRAFT_FUZZ_EXAMPLES=N`` runs N examples per fuzz test
(default 40); the session summary reports how many cases ran.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import tempfile
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truecraft_bom import messages
from truecraft_bom.cli import main
from truecraft_bom.engine import (
	EngineError,
	SaleLine,
	TreeTooLargeError,
	capacities,
	capacity,
	catalog_from_dict,
	cost,
	explode,
	items_used,
	materials_of,
	plan_depletion,
	tree,
	validate,
	where_used,
)
from truecraft_bom.engine.rules import LINE_RULES

EXAMPLES = int(os.environ.get("TRUECRAFT_FUZZ_EXAMPLES", "40"))
# Far above what any example takes (milliseconds); an example this slow twice running is a hang.
DEADLINE = timedelta(seconds=float(os.environ.get("TRUECRAFT_FUZZ_DEADLINE", "3")))
# A hard stop for a true hang (an endless loop never returns to let the deadline be checked).
HANG_SECONDS = 30
FUZZ = settings(
	max_examples=EXAMPLES,
	deadline=DEADLINE,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# Cases run in this session, by test; tests/conftest.py prints the total.
CASES: dict[str, int] = {}


def counted(name: str):
	CASES[name] = CASES.get(name, 0) + 1


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS):
	"""Fail (TimeoutError) instead of hanging when one case runs longer than ``seconds``."""

	def expire(_signum, _frame):
		raise TimeoutError(f"a fuzz case ran longer than {seconds} s")

	previous = signal.signal(signal.SIGALRM, expire)
	signal.alarm(seconds)
	try:
		yield
	finally:
		signal.alarm(0)
		signal.signal(signal.SIGALRM, previous)


# --- values --------------------------------------------------------------------------------------------------

CODES = ("P", "S", "M", "N", "Ω-ÖL", "料", "🧼 bar", "a" * 140, " ", "x\u0000y", "<b>X</b>", "'; DROP TABLE")
NUMBER_TEXT = (
	"1",
	"0",
	"-1",
	"0.1",
	" 2.5 ",
	"1e40",
	"1e41",
	"1e-40",
	"1e-41",
	"-0",
	"NaN",
	"Infinity",
	"-inf",
	"1_000",
	"0x10",
	"",
	"3%",
	"\uff15",  # a fullwidth five: Decimal reads it
	"1e999999999",
)
scalars = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(-(10**45), 10**45),
	st.floats(allow_nan=True, allow_infinity=True),
	st.sampled_from(NUMBER_TEXT),
	st.sampled_from(NUMBER_TEXT).map(lambda text: Decimal(text.strip()) if _decimal(text) else text),
	st.text(max_size=12),
	st.sampled_from(CODES),
)
garbage = st.recursive(
	scalars,
	lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
	max_leaves=8,
)
# Small positive quantities, tiny and huge ones, and the occasional bad one.
quantities = st.one_of(
	st.sampled_from(["1", "2", "0.5", "0.1", "3", "1e-40", "1e40", "1e-9", "7.25"]),
	st.integers(1, 5),
	st.fractions(min_value=Fraction(1, 50), max_value=100, max_denominator=50),
	scalars,
)


def _decimal(text: str) -> bool:
	try:
		Decimal(text.strip())
	except ArithmeticError:
		return False
	return bool(text.strip())


def sometimes_garbage(valid):
	"""Mostly a valid value, sometimes anything."""
	return st.one_of(valid, valid, valid, garbage)


codes = st.one_of(st.sampled_from(CODES), st.text(min_size=1, max_size=8))


@st.composite
def lines(draw, pool):
	line = {}
	if draw(st.integers(0, 9)):
		line["item"] = draw(sometimes_garbage(st.sampled_from(pool)))
	if draw(st.booleans()):
		line["qty"] = draw(quantities)
	for rule in LINE_RULES:
		if draw(st.integers(0, 3)) == 0:
			if rule.numeric:
				value = draw(st.one_of(quantities, st.sampled_from(["0", "-1", "99.999", "100", "150"])))
			elif rule.kind == "flag":
				value = draw(sometimes_garbage(st.booleans()))
			else:
				value = draw(sometimes_garbage(st.text(max_size=20)))
			line[rule.name] = value
	if draw(st.integers(0, 5)) == 0:
		line["overage"] = draw(st.one_of(st.sampled_from(["3", "5%", "x%", "%", "-2", "1e41%"]), garbage))
	if draw(st.integers(0, 3)) == 0:
		line["substitutes"] = draw(
			sometimes_garbage(st.one_of(st.sampled_from(pool), st.lists(st.sampled_from(pool), max_size=3)))
		)
	if draw(st.integers(0, 5)) == 0:
		line["explode"] = draw(sometimes_garbage(st.booleans()))
	if draw(st.integers(0, 15)) == 0:
		line[draw(st.text(max_size=6))] = draw(garbage)  # an unknown key (or a known one, overwritten)
	return line if draw(st.integers(0, 20)) else draw(garbage)


@st.composite
def scenarios(draw):
	"""A scenario over a small pool of item codes (so lines meet each other: shared materials, cycles,
	variants), each value valid or not."""
	pool = draw(st.lists(codes, min_size=1, max_size=6, unique=True))
	items = {}
	for code in pool:
		if draw(st.integers(0, 7)) == 0:
			continue  # a line naming it meets an unknown item
		fields = {}
		for key, valid in (
			("stock", quantities),
			("reserved", quantities),
			("rate", quantities),
			("is_stock", st.booleans()),
			("whole_number", st.booleans()),
			("has_variants", st.booleans()),
			("variant_of", st.sampled_from(pool)),
			(
				"attributes",
				st.dictionaries(st.sampled_from(["Form", "Glaze", "色"]), st.sampled_from(["A", "B"])),
			),
		):
			if draw(st.integers(0, 2)) == 0:
				fields[key] = draw(sometimes_garbage(valid))
		if draw(st.integers(0, 20)) == 0:
			fields[draw(st.text(max_size=6))] = draw(garbage)
		items[code] = fields if draw(st.integers(0, 20)) else draw(garbage)
	boms = {}
	for product in draw(st.lists(st.sampled_from(pool), max_size=len(pool), unique=True)):
		bom = {"lines": draw(st.lists(lines(pool), max_size=4))}
		if draw(st.booleans()):
			bom["quantity"] = draw(quantities)
		if draw(st.integers(0, 3)) == 0:
			bom["scrap"] = draw(
				sometimes_garbage(
					st.lists(
						st.fixed_dictionaries({"item": st.sampled_from(pool), "qty": quantities}), max_size=2
					)
				)
			)
		if draw(st.integers(0, 15)) == 0:
			bom = draw(st.one_of(st.just(bom["lines"]), garbage))
		boms[product] = bom
	data = {"items": items, "boms": boms}
	roll = draw(st.integers(0, 30))
	if roll == 0:
		data = draw(garbage)
	elif roll == 1:
		data[draw(st.text(max_size=6))] = draw(garbage)
	elif roll == 2:
		del data[draw(st.sampled_from(["items", "boms"]))]
	return pool, data


# --- running ---------------------------------------------------------------------------------------------------


def answers(call):
	"""``call()``'s result, or the engine's error, whose message must render (plain and as HTML)."""
	try:
		return call()
	except EngineError as error:
		assert messages.error_message(error).strip()
		assert messages.error_message(error, html=True).strip()
		return error


def every_operation(catalog, product, qty, finished):
	"""Each engine operation on one product; results are turned into their JSON shape as the callers do."""
	for problem in answers(lambda: validate(catalog)):
		assert problem.message.strip()
	answers(lambda: validate(catalog, [product]))
	answers(lambda: explode(catalog, product, qty).as_dict())
	answers(lambda: explode(catalog, product, qty, True).builds)
	answers(lambda: capacity(catalog, product).as_dict())
	answers(lambda: capacity(catalog, product, True).as_dict())
	answers(lambda: capacities(catalog, [product]))
	answers(lambda: cost(catalog, product, qty).as_dict())
	answers(lambda: where_used(catalog, product))
	answers(lambda: tree(catalog, product, qty, True))
	answers(lambda: items_used(catalog, product))
	answers(lambda: materials_of(catalog, [product]))
	answers(lambda: plan_depletion(catalog, [SaleLine(product, qty, finished)], True))


@FUZZ
@given(scenarios(), quantities, st.sampled_from([Fraction(0), Fraction(1), Fraction(1, 3)]), st.data())
def test_scenarios_answer_or_refuse(scenario, qty, finished, data):
	pool, raw = scenario
	counted("scenarios")
	with no_hang():
		catalog = answers(lambda: catalog_from_dict(raw))
		if isinstance(catalog, EngineError):
			return
		product = data.draw(st.sampled_from([*pool, "NO-SUCH-ITEM"]))
		try:
			sold = qty if isinstance(qty, Fraction) and qty > 0 else Fraction(2)
		except TypeError:
			sold = Fraction(2)
		every_operation(catalog, product, qty, finished)
		answers(lambda: plan_depletion(catalog, [SaleLine(code, sold, finished) for code in pool]))


@FUZZ
@given(garbage)
def test_any_json_value_is_read_or_refused(value):
	counted("garbage")
	with no_hang():
		catalog = answers(lambda: catalog_from_dict(value))
		if not isinstance(catalog, EngineError):
			for product in list(catalog.items)[:3]:
				every_operation(catalog, product, 1, Fraction(0))


def run_cli(text: str | bytes, argv: list[str]) -> tuple[int, str, str]:
	with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as handle:
		handle.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
	out, err = io.StringIO(), io.StringIO()
	try:
		with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
			code = main([argv[0], handle.name, *argv[1:]])
	finally:
		os.unlink(handle.name)
	return code, out.getvalue(), err.getvalue()


COMMANDS = st.one_of(
	st.tuples(st.just("validate")),
	st.tuples(st.just("explode"), codes, st.one_of(st.sampled_from(NUMBER_TEXT), st.text(max_size=4))),
	st.tuples(st.just("capacity"), codes),
	st.tuples(st.just("capacity"), codes, st.just("--use-subassembly-stock")),
	st.tuples(st.just("cost"), codes, st.sampled_from(NUMBER_TEXT)),
	st.tuples(st.just("where-used"), codes),
	st.tuples(st.just("explode"), codes),  # a missing argument
	st.tuples(st.just("launch"), codes),  # an unknown command
)


def _json_text(value) -> str:
	return json.dumps(value, default=str, allow_nan=True)


@FUZZ
@given(
	st.one_of(
		scenarios().map(lambda scenario: _json_text(scenario[1])),
		garbage.map(_json_text),
		st.text(max_size=40),
		st.binary(max_size=40),
		st.sampled_from(
			['{"items": {"A": {"stock": NaN}}}', '{"items": {"A": {"stock": 1e99999}}}', "[", "\ufeff{}"]
		),
	),
	COMMANDS,
)
def test_cli_exits_0_1_or_2_with_one_line(text, command):
	counted("cli")
	with no_hang():
		code, out, err = run_cli(text, list(command))
	assert code in (0, 1, 2), (code, err)
	if code == 2:
		assert out == ""
		assert err.startswith("truecraft-bom: ") and err.count("\n") == 1, err
	else:
		json.loads(out)


# --- shapes a random draw rarely reaches: deep chains, wide diamonds, long variant chains, huge numbers ---------


def chain(depth: int, close: bool = False) -> dict:
	"""N0 <- N1 <- ... <- N{depth} (a stocked material); ``close``: N{depth} is made from N0 (a cycle)."""
	items = {f"N{level}": {} for level in range(depth)}
	items[f"N{depth}"] = {"stock": 5}
	boms = {f"N{level}": [{"item": f"N{level + 1}"}] for level in range(depth)}
	if close:
		boms[f"N{depth}"] = [{"item": "N0"}]
	return {"items": items, "boms": boms}


def diamonds(depth: int) -> dict:
	"""Each level has two sub-assemblies, both made from both of the next level's: 2^depth paths."""
	items = {"M": {"stock": 10**6}}
	boms = {}
	for level in range(depth):
		for side in "AB":
			items[f"{side}{level}"] = {}
			nxt = (
				[{"item": f"A{level + 1}"}, {"item": f"B{level + 1}"}]
				if level + 1 < depth
				else [{"item": "M"}]
			)
			boms[f"{side}{level}"] = nxt
	return {"items": items, "boms": boms}


def variant_chain(depth: int) -> dict:
	"""V{depth} is a variant of V{depth-1} ... of V0, whose BOM has one inherited line."""
	items = {"V0": {"has_variants": True}, "M": {"stock": 3}}
	for level in range(1, depth + 1):
		items[f"V{level}"] = {"variant_of": f"V{level - 1}", "has_variants": level < depth}
	return {"items": items, "boms": {"V0": [{"item": "M", "inherited": True}]}}


SHAPES = [
	pytest.param(chain(2000), "N0", id="chain-2000"),
	pytest.param(chain(2000, close=True), "N0", id="cycle-2000"),
	pytest.param(diamonds(30), "A0", id="diamonds-2^30-paths"),
	pytest.param(variant_chain(1500), "V1500", id="variant-chain-1500"),
	pytest.param(
		{"items": {"P": {}, "M": {"stock": "1e40"}}, "boms": {"P": [{"item": "M", "qty": "1e-40"}]}},
		"P",
		id="capacity-1e80",
	),
	pytest.param(
		{
			"items": {"P": {}, "M": {"stock": "1e-40", "whole_number": True}},
			"boms": {"P": [{"item": "M", "qty": "1e40"}]},
		},
		"P",
		id="tiny-stock-huge-need",
	),
	pytest.param(
		{
			"items": {"P": {}, **{f"M{n}": {"stock": n} for n in range(20)}},
			"boms": {
				"P": [
					{"item": f"M{n}", "substitutes": [f"M{m}" for m in range(30) if m != n]}
					for n in range(30)
				]
			},
		},
		"P",
		id="20-lines-all-substitutes",
	),
]


@pytest.mark.parametrize("data, product", SHAPES)
def test_extreme_shapes_answer_or_refuse(data, product):
	counted("shapes")
	with no_hang():
		catalog = catalog_from_dict(data)
		for qty in (1, "1e-40", "1e40"):
			every_operation(catalog, product, qty, Fraction(0))


def test_results_beyond_the_input_range_are_exact():
	"""Inputs stop at 40 digits either side of the point; results do not (1e40 at 1e-40 per unit: 1e80)."""
	counted("shapes")
	catalog = catalog_from_dict(
		{
			"items": {"P": {}, "M": {"stock": "1e40", "rate": "1e40"}},
			"boms": {"P": [{"item": "M", "qty": "1e-40"}]},
		}
	)
	assert capacity(catalog, "P").capacity == 10**80
	assert cost(catalog, "P", "1e40").total == Decimal(10) ** 40  # 1 M at 1e40
	assert cost(catalog, "P", "1e-40").per_unit == Decimal(1)
	assert explode(catalog, "P", "1e-40").requirements[0].qty == Decimal("1e-80")
	bulk = catalog_from_dict(
		{"items": {"P": {}, "M": {"rate": "1e40"}}, "boms": {"P": [{"item": "M", "qty": "1e40"}]}}
	)
	assert cost(bulk, "P", "1e39").total == Decimal(10) ** 119


def test_a_tree_too_large_to_show_is_refused_by_name():
	counted("shapes")
	catalog = catalog_from_dict(diamonds(30))
	with pytest.raises(TreeTooLargeError) as raised:
		tree(catalog, "A0", 1)
	assert "A0" in str(raised.value)
	assert explode(catalog, "A0", 1).requirements[0].qty == 2**29  # the flat list still works
