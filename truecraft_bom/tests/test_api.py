"""REST methods on real Items, BOMs and stock: the six worked examples of the ATUM BOM Stock Control help page, the contract, bad input
and permissions. The API must agree with the engine on the equivalent scenario."""

from typing import ClassVar

import frappe

from truecraft_bom import api, engine
from truecraft_bom.tests import factories as f


class ApiTestCase(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.warehouse = f.warehouse()

	def capacity(self, code, **kwargs):
		return api.capacity(code, warehouse=self.warehouse, **kwargs)["capacity"]

	def assert_same_as_engine(self, scenario, codes, product):
		"""The API on the documents gives the engine's answer on the scenario."""
		expected = engine.capacity(engine.catalog_from_dict(scenario), product)
		result = api.capacity(codes[product], warehouse=self.warehouse)
		self.assertEqual(result["capacity"], expected.capacity)
		self.assertEqual(result["limiting"], [codes[code] for code in expected.limiting])


class TestSeedExamples(ApiTestCase):
	"""The ATUM BOM Stock Control help page ("How does the BOM Stock Control work?"), examples 1 to 6."""

	def test_example_1_one_product_one_material(self):
		scenario = {
			"items": {"A": {"whole_number": True}, "RMA": {"stock": 10, "whole_number": True}},
			"boms": {"A": {"lines": [{"item": "RMA", "qty": 1}]}},
		}
		codes = f.build("S1-", scenario)
		self.assertEqual(self.capacity(codes["A"]), 10)
		self.assert_same_as_engine(scenario, codes, "A")
		f.set_stock(codes["RMA"], 5)
		self.assertEqual(self.capacity(codes["A"]), 5)

	def test_example_2_two_units_of_one_material(self):
		scenario = {
			"items": {"A": {"whole_number": True}, "RMA": {"stock": 10, "whole_number": True}},
			"boms": {"A": {"lines": [{"item": "RMA", "qty": 2}]}},
		}
		codes = f.build("S2-", scenario)
		self.assertEqual(self.capacity(codes["A"]), 5)
		self.assert_same_as_engine(scenario, codes, "A")
		f.set_stock(codes["RMA"], 8)
		self.assertEqual(self.capacity(codes["A"]), 4)

	def test_example_3_two_materials(self):
		scenario = {
			"items": {
				"A": {"whole_number": True},
				"RMA": {"stock": 10, "whole_number": True},
				"RMB": {"stock": 5, "whole_number": True},
			},
			"boms": {"A": {"lines": [{"item": "RMA", "qty": 1}, {"item": "RMB", "qty": 1}]}},
		}
		codes = f.build("S3-", scenario)
		self.assertEqual(
			api.capacity(codes["A"], warehouse=self.warehouse),
			{"item_code": codes["A"], "capacity": 5, "limiting": [codes["RMB"]]},
		)
		self.assert_same_as_engine(scenario, codes, "A")
		f.set_stock(codes["RMA"], 3)
		self.assertEqual(self.capacity(codes["A"]), 3)

	def test_example_4_nested_bom(self):
		scenario = {
			"items": {
				"A": {"whole_number": True},
				"RMA": {"whole_number": True},
				"NESTED": {"stock": 20, "whole_number": True},
			},
			"boms": {
				"RMA": {"lines": [{"item": "NESTED", "qty": 1}]},
				"A": {"lines": [{"item": "RMA", "qty": 1}]},
			},
		}
		codes = f.build("S4-", scenario)
		self.assertEqual(self.capacity(codes["RMA"]), 20)
		self.assertEqual(self.capacity(codes["A"]), 20)
		self.assert_same_as_engine(scenario, codes, "A")
		f.set_stock(codes["NESTED"], 10)
		self.assertEqual(self.capacity(codes["A"]), 10)

	def test_example_5_shared_nested_component(self):
		scenario = {
			"items": {
				"A": {"whole_number": True},
				"RMA": {"whole_number": True},
				"RMB": {"whole_number": True},
				"NESTED": {"stock": 20, "whole_number": True},
			},
			"boms": {
				"RMA": {"lines": [{"item": "NESTED", "qty": 1}]},
				"RMB": {"lines": [{"item": "NESTED", "qty": 1}]},
				"A": {"lines": [{"item": "RMA", "qty": 1}, {"item": "RMB", "qty": 1}]},
			},
		}
		codes = f.build("S5-", scenario)
		self.assertEqual(self.capacity(codes["RMA"]), 20)
		self.assertEqual(self.capacity(codes["RMB"]), 20)
		# each A needs 2 NESTED, counted jointly across both branches
		self.assertEqual(self.capacity(codes["A"]), 10)
		self.assert_same_as_engine(scenario, codes, "A")

	def test_example_6_two_products_share_a_material(self):
		scenario = {
			"items": {
				"A": {"whole_number": True},
				"B": {"whole_number": True},
				"RMA": {"stock": 10, "whole_number": True},
			},
			"boms": {
				"A": {"lines": [{"item": "RMA", "qty": 1}]},
				"B": {"lines": [{"item": "RMA", "qty": 2}]},
			},
		}
		codes = f.build("S6-", scenario)
		self.assertEqual((self.capacity(codes["A"]), self.capacity(codes["B"])), (10, 5))
		self.assert_same_as_engine(scenario, codes, "A")
		self.assert_same_as_engine(scenario, codes, "B")
		f.set_stock(codes["RMA"], 8)
		self.assertEqual((self.capacity(codes["A"]), self.capacity(codes["B"])), (8, 4))


class TestApiContract(ApiTestCase):
	"""One bar of soap: oil with 2% attrition, a wrap, a consumable label, an optional ribbon, labour."""

	SCENARIO: ClassVar[dict] = {
		"items": {
			"BAR": {"whole_number": True},
			"OIL": {"stock": 63.6, "rate": 0.9},
			"WRAP": {"stock": 100, "rate": 0.1, "whole_number": True},
			"LABEL": {"stock": 100, "rate": 0.02, "whole_number": True},
			"RIBBON": {"stock": 5, "rate": 0.5, "whole_number": True},
			"LABOUR": {"is_stock": False, "rate": 2.5},
		},
		"boms": {
			"BAR": {
				"lines": [
					{"item": "OIL", "qty": 1.2, "attrition": 2},
					{"item": "WRAP", "qty": 1},
					{"item": "LABEL", "qty": 1, "consumable": 1},
					{"item": "RIBBON", "qty": 1, "optional": 1},
					{"item": "LABOUR", "qty": 0.1},
				]
			}
		},
	}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.codes = f.build("API-", cls.SCENARIO)
		cls.bar = cls.codes["BAR"]

	def test_explode_returns_flat_requirements_with_flags(self):
		result = api.explode(self.bar, qty=10)
		self.assertEqual(result["item_code"], self.bar)
		self.assertEqual(float(result["qty"]), 10)
		rows = {r["item_code"]: r for r in result["requirements"]}
		self.assertEqual(set(rows), {self.codes[c] for c in ("OIL", "WRAP", "LABEL", "LABOUR")})
		self.assertEqual(float(rows[self.codes["OIL"]]["qty"]), 12.24)  # 1.2 x 10 x 1.02
		self.assertTrue(rows[self.codes["LABEL"]]["consumable"])
		self.assertTrue(rows[self.codes["LABOUR"]]["non_stock"])
		self.assertEqual(float(rows[self.codes["LABOUR"]]["qty"]), 1)
		self.assertEqual(set(rows[self.codes["WRAP"]]), {"item_code", "qty", "consumable", "non_stock"})
		with_optional = api.explode(self.bar, qty=10, include_optional=1)
		self.assertIn(self.codes["RIBBON"], [r["item_code"] for r in with_optional["requirements"]])

	def test_capacity_counts_overage_and_ignores_consumable_optional_and_non_stock(self):
		# 63.6 / 1.224 = 51.96 -> 51; ribbon (optional, 5) and label (consumable) do not limit
		self.assertEqual(
			api.capacity(self.bar, warehouse=self.warehouse),
			{"item_code": self.bar, "capacity": 51, "limiting": [self.codes["OIL"]]},
		)
		self.assert_same_as_engine(self.SCENARIO, self.codes, "BAR")

	def test_capacity_of_other_warehouse_is_zero(self):
		other = f.warehouse("TrueCraft Empty")
		self.assertEqual(api.capacity(self.bar, warehouse=other)["capacity"], 0)

	def test_cost_and_where_used(self):
		cost = api.cost(self.bar, qty=10)
		self.assertEqual(float(cost["non_stock"]), 2.5)  # 10 x 0.1 hour of labour at 2.5
		self.assertAlmostEqual(float(cost["stock"]), 12.24 * 0.9 + 10 * 0.1, places=6)
		self.assertAlmostEqual(float(cost["per_unit"]), float(cost["total"]) / 10, places=6)
		self.assertEqual(
			api.where_used(self.codes["OIL"]), {"item_code": self.codes["OIL"], "used_in": [self.bar]}
		)

	def test_tree_shows_each_line_with_its_flags(self):
		tree = api.tree(self.bar, qty=10, include_optional=1)
		self.assertEqual((tree["item_code"], float(tree["qty"])), (self.bar, 10))
		children = {child["item_code"]: child for child in tree["children"]}
		self.assertEqual(float(children[self.codes["OIL"]]["qty"]), 12.24)
		self.assertTrue(children[self.codes["RIBBON"]]["optional"])
		self.assertTrue(children[self.codes["LABEL"]]["consumable"])
		self.assertNotIn(
			self.codes["RIBBON"], {c["item_code"] for c in api.tree(self.bar, qty=10)["children"]}
		)

	def test_item_dashboard_capacity(self):
		self.assertEqual(
			api.item_capacity(self.bar),
			{"item_code": self.bar, "buildable": True, "capacity": 51, "limiting": [self.codes["OIL"]]},
		)
		self.assertEqual(
			api.item_capacity(self.codes["OIL"]), {"item_code": self.codes["OIL"], "buildable": False}
		)

	def test_bad_arguments_are_4xx_errors(self):
		with self.assertRaises(frappe.DoesNotExistError) as raised:
			api.capacity("NO-SUCH-ITEM")
		self.assertEqual(raised.exception.http_status_code, 404)
		for qty in ("abc", -1, 0, "nan"):
			with self.assertRaises(frappe.ValidationError, msg=qty) as raised:
				api.explode(self.bar, qty=qty)
			self.assertIn("Quantity must be a number above zero", str(raised.exception))
			self.assertEqual(raised.exception.http_status_code, 417)
		with self.assertRaises(frappe.ValidationError) as raised:
			api.explode(self.codes["OIL"], qty=1)
		self.assertIn("has no default BOM", str(raised.exception))
		with self.assertRaises(frappe.DoesNotExistError):
			api.capacity(self.bar, warehouse="Nowhere")
		# the app's own argument check (truecraft_bom.arguments): translated, names the argument, escaped
		with self.assertRaises(frappe.ValidationError) as raised:
			api.capacity(["not", "a", "<b>code</b>"])
		self.assertIn("must be text", str(raised.exception))
		self.assertNotIn("<b>code", str(raised.exception))
		self.assertEqual(raised.exception.http_status_code, 417)


class TestApiPermissions(ApiTestCase):
	def test_user_without_item_read_gets_403(self):
		codes = f.build(
			"PERM-", {"items": {"P": {}, "M": {"stock": 1}}, "boms": {"P": {"lines": [{"item": "M"}]}}}
		)
		user = f.make_user("tc-no-roles@example.com", [])
		frappe.set_user(user)
		for call in (
			lambda: api.capacity(codes["P"]),
			lambda: api.explode(codes["P"], 1),
			lambda: api.cost(codes["P"]),
			lambda: api.where_used(codes["M"]),
		):
			with self.assertRaises(frappe.PermissionError) as raised:
				call()
			self.assertEqual(raised.exception.http_status_code, 403)

	def test_stock_user_may_read(self):
		codes = f.build(
			"PERM2-", {"items": {"P": {}, "M": {"stock": 3}}, "boms": {"P": {"lines": [{"item": "M"}]}}}
		)
		user = f.make_user("tc-stock-user@example.com", ["Stock User", "Manufacturing User"])
		frappe.set_user(user)
		self.assertEqual(api.capacity(codes["P"], warehouse=self.warehouse)["capacity"], 3)

	def test_guest_cannot_call_any_method(self):
		frappe.set_user("Guest")
		for method in (api.capacity, api.explode, api.cost, api.where_used, api.tree, api.item_capacity):
			with self.assertRaises(frappe.PermissionError):
				frappe.is_whitelisted(method)
