"""Every whitelisted method of the app, called over HTTP (Frappe's WSGI app, as a browser or a sales channel
calls it) with wrong types, missing and extra arguments, SQL-looking and HTML strings: the answer is a result
or a 4xx with a clear message, never a 500; nothing is written; an HTML payload never comes back unescaped in
a message.

The methods are discovered (factories.whitelisted_methods): a new method without an entry in METHODS fails.
These tests commit (each request runs on its own connection): the fixture's names are fixed and reused.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from truecraft_bom.tests import factories as f

PREFIX = "TC-BADIN-"
HTML = '<img src=x onerror="alert(1)">'
SQL = "x' OR '1'='1'; DROP TABLE `tabItem`; -- "
# Bad values for any argument: wrong types, unreadable and non-positive numbers, huge and odd strings.
BAD_VALUES = (
	None,
	"",
	0,
	-1,
	"abc",
	"NaN",
	"1e999",
	[1, 2],
	{"a": {"b": 1}},
	True,
	SQL,
	HTML,
	"\u0000\ud7ff",
	"9" * 400,
)
# Tables a bad call must leave as they were (Error Log: a 500 is logged there).
TABLES = (
	"BOM",
	"BOM Item",
	"BOM Revision",
	"Production Capacity",
	"Stock Entry",
	"Item",
	"Version",
	"Error Log",
)
# Statuses a refusal may have: 417 ValidationError (wrong argument), 403 PermissionError, 404 for a record that
# does not exist, 409 for a stale timestamp (builder.save).
REFUSALS = {403, 404, 409, 417}


def fixture() -> dict:
	"""P made from M (in stock) with a default BOM, a draft BOM of P for the builder: created once."""
	f.make_item(f"{PREFIX}M", stock_uom="Kg", rate=2)
	f.make_item(f"{PREFIX}P", tc_deplete_on_sale=1)
	bom = frappe.db.get_value("Item", f"{PREFIX}P", "default_bom")
	if not bom:
		bom = f.make_bom(f"{PREFIX}P", [{"item_code": f"{PREFIX}M", "qty": 2}]).name
		f.receive(f"{PREFIX}M", 10, rate=2)
	draft = frappe.db.get_value("BOM", {"item": f"{PREFIX}P", "docstatus": 0}, "name")
	if not draft:
		draft = f.make_bom(f"{PREFIX}P", [{"item_code": f"{PREFIX}M", "qty": 3}], submit=False).name
	# a submitted Work Order for one P (it reserves 2 M)
	order = frappe.db.get_value("Work Order", {"production_item": f"{PREFIX}P", "docstatus": 1}, "name")
	if not order:
		order = f.make_work_order(f"{PREFIX}P", bom, 1).name
	return {
		"P": f"{PREFIX}P",
		"M": f"{PREFIX}M",
		"bom": bom,
		"draft": draft,
		"warehouse": f.warehouse(),
		"work_order": order,
	}


def lines(fx) -> str:
	return json.dumps([{"item_code": fx["M"], "qty": 2}])


# method -> (its valid arguments, whether a valid call writes). Every argument is fuzzed in turn.
METHODS = {
	"truecraft_bom.api.explode": (lambda fx: {"item_code": fx["P"], "qty": 2, "include_optional": 0}, False),
	"truecraft_bom.api.capacity": (
		lambda fx: {"item_code": fx["P"], "warehouse": fx["warehouse"], "use_subassembly_stock": 0},
		False,
	),
	"truecraft_bom.api.where_used": (lambda fx: {"item_code": fx["M"]}, False),
	"truecraft_bom.api.cost": (lambda fx: {"item_code": fx["P"], "qty": 2}, False),
	"truecraft_bom.api.tree": (lambda fx: {"item_code": fx["P"], "qty": 1, "include_optional": 1}, False),
	"truecraft_bom.api.item_capacity": (lambda fx: {"item_code": fx["P"]}, False),
	"truecraft_bom.api.capacities": (
		lambda fx: {"modified_since": "2020-01-01 00:00:00", "item_codes": json.dumps([fx["P"]])},
		False,
	),
	"truecraft_bom.api.materials_at_reorder_level": (lambda fx: {"filters": "{}"}, False),
	"truecraft_bom.api.rebuild_capacity": (lambda fx: {}, True),
	"truecraft_bom.api.sellable": (
		lambda fx: {
			"items": json.dumps([{"item_code": fx["P"], "warehouse": fx["warehouse"], "qty": 1}]),
			"company": f.company(),
			"use_finished_stock": 0,
		},
		False,
	),
	"truecraft_bom.builder.load": (lambda fx: {"bom": fx["bom"], "item_code": fx["P"]}, False),
	"truecraft_bom.builder.preview": (
		lambda fx: {
			"item_code": fx["P"],
			"quantity": 1,
			"lines": lines(fx),
			"qty": 1,
			"warehouse": fx["warehouse"],
		},
		False,
	),
	"truecraft_bom.builder.save": (
		lambda fx: {"bom": fx["draft"], "lines": lines(fx), "quantity": 1, "modified": None},
		True,
	),
	"truecraft_bom.builder.new_version": (lambda fx: {"bom": fx["bom"]}, True),
	"truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision.make_revision": (
		lambda fx: {"bom": fx["bom"], "reason": "test"},
		True,
	),
	"truecraft_bom.api.set_up_wip_account": (
		lambda fx: {"company": f.company(), "warehouse": f.warehouse("TrueCraft WIP")},
		True,
	),
	"truecraft_bom.production.make_stock_entry": (
		lambda fx: {
			"work_order_id": fx["work_order"],
			"purpose": "Material Transfer for Manufacture",
			"qty": 1,
			"target_warehouse": None,
		},
		False,
	),
	"truecraft_bom.planning.get_items_for_material_requests": (
		lambda fx: {
			"doc": json.dumps(
				{
					"company": f.company(),
					"for_warehouse": fx["warehouse"],
					"ignore_existing_ordered_qty": 1,
					"po_items": [
						{
							"item_code": fx["P"],
							"bom_no": fx["bom"],
							"planned_qty": 2,
							"warehouse": fx["warehouse"],
						}
					],
				}
			),
			"warehouses": json.dumps([{"warehouse": fx["warehouse"]}]),
			"get_parent_warehouse_data": 0,
		},
		False,
	),
}


def counts() -> dict[str, int]:
	return {table: frappe.db.count(table) for table in TABLES}


def messages_of(response) -> str:
	"""Everything a refusal tells the desk: the exception text and the server messages."""
	body = response.json or {}
	parts = [str(body.get("exception") or ""), str(body.get("exc_type") or "")]
	for raw in json.loads(body.get("_server_messages") or "[]"):
		try:
			parts.append(str(json.loads(raw).get("message") or ""))
		except (ValueError, AttributeError):
			parts.append(str(raw))
	return "\n".join(parts)


class TestBadInput(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.fx = fixture()
		frappe.db.commit()
		cls.rest = f.Rest("Administrator")

	def test_every_method_has_a_table_entry(self):
		self.assertEqual(sorted(f.whitelisted_methods()), sorted(METHODS))

	def test_valid_calls_answer(self):
		"""The table's valid arguments work, so that the refusals below are about the bad values."""
		for method, (valid, writes) in METHODS.items():
			if not writes:
				response = self.rest.method(method, **valid(self.fx))
				self.assertEqual(response.status_code, 200, f"{method}: {messages_of(response)[:300]}")

	def test_bad_arguments_are_refused_clearly(self):
		calls = 0
		failures = []
		for method, (valid, writes) in METHODS.items():
			good = valid(self.fx)
			cases = [("no arguments", {})] if good else []
			cases.append(("an extra argument", {**good, "tc_unexpected": HTML}))
			for name in good:
				for value in BAD_VALUES:
					cases.append((f"{name}={value!r:.40}", {**good, name: value}))
			for label, args in cases:
				if writes and good and label == "an extra argument":
					continue  # a valid call plus an ignored argument: it writes, as it should
				before = counts()
				response = self.rest.method(method, **args)
				calls += 1
				problem = self.judge(response, writes and label != "no arguments", before)
				if problem:
					failures.append(f"{method} with {label}: {problem}")
		print(f"\nbad input: {calls} calls over {len(METHODS)} methods")
		self.assertFalse(failures, "\n".join(failures))

	def judge(self, response, may_write: bool, before: dict) -> str | None:
		"""What is wrong with one answer, or None."""
		status = response.status_code
		after = counts()
		changed = {table: after[table] - before[table] for table in TABLES if after[table] != before[table]}
		if status >= 500:
			return f"HTTP {status}: {messages_of(response)[:300]}"
		if status not in REFUSALS and status != 200:
			return f"HTTP {status}"
		if changed and (status != 200 or not may_write):
			return f"wrote {changed} (HTTP {status})"
		if status in REFUSALS:
			text = messages_of(response)
			if HTML in text or "<img" in text:
				return f"HTML echoed unescaped: {text[:300]}"
			shown = json.loads((response.json or {}).get("_server_messages") or "[]")
			if not shown:
				return f"HTTP {status} without a message"
		return None
