"""Substitutes from Item Alternative: pooled stock in capacity, the optimal allocation, two-way alternatives."""

import frappe

from truecraft_bom import api
from truecraft_bom.tests import factories as f


class TestSubstitutes(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.wh = f.warehouse()
		for code in ("SUB-CAP-A", "SUB-CAP-B", "SUB-RES"):
			f.make_item(code)
		f.make_item("SUB-BOARD")
		f.make_item("SUB-KIT")
		f.make_alternative("SUB-CAP-A", "SUB-CAP-B")
		f.make_bom("SUB-BOARD", [{"item_code": "SUB-CAP-A", "qty": 2}, {"item_code": "SUB-RES", "qty": 1}])
		f.receive("SUB-CAP-A", 4)
		f.receive("SUB-CAP-B", 6)
		f.receive("SUB-RES", 100)

	def test_capacity_pools_an_item_with_its_alternatives(self):
		# (4 + 6) capacitors / 2 per board = 5
		self.assertEqual(
			api.capacity("SUB-BOARD", warehouse=self.wh),
			{"item_code": "SUB-BOARD", "capacity": 5, "limiting": ["SUB-CAP-A", "SUB-CAP-B"]},
		)

	def test_a_line_with_substitutes_is_a_leaf_listed_under_its_own_item(self):
		result = api.explode("SUB-BOARD", qty=3)
		self.assertEqual(
			{r["item_code"]: float(r["qty"]) for r in result["requirements"]}, {"SUB-CAP-A": 6, "SUB-RES": 3}
		)

	def test_one_way_alternative_does_not_substitute_back(self):
		f.make_item("SUB-BOARD-B")
		f.make_bom("SUB-BOARD-B", [{"item_code": "SUB-CAP-B", "qty": 2}])
		# CAP-B may not be replaced by CAP-A (one-way): 6 / 2 = 3
		self.assertEqual(api.capacity("SUB-BOARD-B", warehouse=self.wh)["capacity"], 3)

	def test_flexible_line_does_not_starve_a_line_without_alternative(self):
		# KIT needs 4 CAP-B (no alternative) and 4 CAP-A (or CAP-B): only a non-greedy allocation makes 1 kit
		f.make_bom("SUB-KIT", [{"item_code": "SUB-CAP-B", "qty": 6}, {"item_code": "SUB-CAP-A", "qty": 4}])
		self.assertEqual(api.capacity("SUB-KIT", warehouse=self.wh)["capacity"], 1)

	def test_two_way_alternative(self):
		for code in ("SUB-GLUE-X", "SUB-GLUE-Y", "SUB-BOX"):
			f.make_item(code, stock_uom="Kg" if "GLUE" in code else "Nos")
		f.make_alternative("SUB-GLUE-X", "SUB-GLUE-Y", two_way=True)
		f.make_bom("SUB-BOX", [{"item_code": "SUB-GLUE-Y", "qty": 0.5}])
		f.receive("SUB-GLUE-X", 2)
		self.assertEqual(api.capacity("SUB-BOX", warehouse=self.wh)["capacity"], 4)
		self.assertTrue(frappe.db.exists("Item Alternative", {"item_code": "SUB-GLUE-X", "two_way": 1}))
