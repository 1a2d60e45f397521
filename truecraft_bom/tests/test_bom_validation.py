"""Saving a BOM runs the engine's validation over it and everything it reaches: every problem, one message."""

import frappe
from frappe.utils import strip_html

from truecraft_bom.tests import factories as f


class TestBomValidation(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for code in ("VAL-A", "VAL-B", "VAL-C", "VAL-M1", "VAL-M2"):
			f.make_item(code)

	def refused(self, item, lines):
		before = frappe.db.count("BOM", {"item": item})
		with self.assertRaises(frappe.ValidationError) as raised:
			f.make_bom(item, lines)
		self.assertEqual(frappe.db.count("BOM", {"item": item}), before, "nothing saved")
		return str(raised.exception)

	def test_cycle_is_refused_with_its_path(self):
		f.make_bom("VAL-A", [{"item_code": "VAL-B", "qty": 1}])
		f.make_bom("VAL-B", [{"item_code": "VAL-C", "qty": 1}])
		message = self.refused("VAL-C", [{"item_code": "VAL-A", "qty": 1}])
		self.assertIn("The BOMs form a cycle: VAL-A → VAL-B → VAL-C → VAL-A", strip_html(message))

	def test_self_reference(self):
		message = self.refused("VAL-M1", [{"item_code": "VAL-M1", "qty": 1}])
		self.assertIn("cannot be a component of itself", message)

	def test_every_problem_in_one_message(self):
		message = self.refused(
			"VAL-M2",
			[
				{"item_code": "VAL-M1", "qty": 1},
				{"item_code": "VAL-M1", "qty": 2},
				{"item_code": "VAL-C", "qty": 1, "tc_attrition": 100},
			],
		)
		self.assertIn("<strong>VAL-M1</strong> is on more than one line; merge them into one line", message)
		self.assertIn("Attrition % must be at least 0% and below 100%, not 100%", message)

	def test_valid_bom_is_saved(self):
		bom = f.make_bom("VAL-M2", [{"item_code": "VAL-M1", "qty": 2, "tc_attrition": 5, "tc_setup_qty": 1}])
		self.assertEqual(bom.docstatus, 1)
		self.assertEqual(bom.items[0].tc_attrition, 5)
