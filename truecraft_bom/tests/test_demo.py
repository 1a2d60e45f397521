"""The demo shop (truecraft_bom.demo) builds, is idempotent and shows the figures the README and the desk quote.

``demo.setup`` commits: the bench suite's rollback cannot undo it. This test therefore works on the real demo,
on purpose: it builds it when it is missing (about a minute, once; the browser suite then finds it ready) and
otherwise only checks that running setup again changes nothing. It never tears the demo down (the browser
suite runs on it); ``demo.teardown`` is exercised by hand: ``bench --site SITE execute
truecraft_bom.demo.teardown``, then ``... demo.setup`` again.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import flt

from truecraft_bom import api, demo


def snapshot() -> dict:
	"""What setup creates, counted, and the demo warehouse's stock."""
	items = frappe.get_all("Item", filters={"name": ("like", "DEMO-%")}, pluck="name")
	entries = frappe.get_all(
		"Stock Entry Detail", filters={"item_code": ("in", items)}, pluck="parent", distinct=True
	)
	company = demo._company()
	warehouse = f"{demo.WAREHOUSE} - {frappe.get_cached_value('Company', company, 'abbr')}"
	return {
		"items": len(items),
		"variants": frappe.db.count("Item", {"variant_of": ("in", list(demo.TEMPLATES))}),
		"boms": frappe.db.count("BOM", {"item": ("in", items), "docstatus": 1}),
		"alternatives": frappe.db.count("Item Alternative", {"item_code": ("in", items)}),
		"stock entries": len(entries),
		"sales": [
			frappe.db.count(doctype, {"customer": ("in", demo.CUSTOMERS), "docstatus": 1})
			for doctype in ("Sales Invoice", "Delivery Note")
		],
		"user roles": sorted(frappe.get_roles(demo.USER)),
		"seller roles": sorted(frappe.get_roles(demo.SELLER)),
		"capacity records": {
			row.item_code: (row.capacity, row.unlimited, row.limiting)
			for row in frappe.get_all(
				"Production Capacity",
				filters={"item_code": ("like", "DEMO-%"), "warehouse": ("is", "not set")},
				fields=["item_code", "capacity", "unlimited", "limiting"],
			)
		},
		"stock": {
			row.item_code: flt(row.actual_qty, 6)
			for row in frappe.get_all(
				"Bin", filters={"warehouse": warehouse}, fields=["item_code", "actual_qty"]
			)
		},
	}


class TestDemo(FrappeTestCase):
	def test_setup_is_idempotent_and_shows_the_quoted_figures(self):
		demo.setup()  # builds the demo when it is missing, else brings it back to its figures
		before = snapshot()
		demo.setup()
		self.assertEqual(snapshot(), before)

		self.assertEqual(before["variants"], 8 + 15 + 8 * 15)
		self.assertEqual(before["sales"], [1, 1])
		for role in demo.ROLES:
			self.assertIn(role, before["user roles"])
		self.assertNotIn("Stock User", before["seller roles"])
		self.assertIn("Sales User", before["seller roles"])
		# the records a site without RQ workers shows at once, equal to what api.capacity computes
		records = before["capacity records"]
		self.assertEqual(records["DEMO-SOAP-LAV"], (demo.LAVENDER_CAPACITY, 0, "DEMO-LAV-OIL"))
		self.assertEqual(records["DEMO-SOAP-GIFT"][0], 33)
		self.assertEqual(records[demo.MUG][0], demo.MUG_CAPACITY)
		for code, qty in demo.STOCK.items():
			self.assertAlmostEqual(before["stock"][code], qty, places=6, msg=code)

		capacity = api.capacity("DEMO-SOAP-LAV")
		self.assertEqual(capacity["capacity"], demo.LAVENDER_CAPACITY)
		self.assertEqual(capacity["limiting"], ["DEMO-LAV-OIL"])
		self.assertEqual(api.capacity("DEMO-SOAP-ROSE")["capacity"], 87)
		self.assertEqual(api.capacity("DEMO-SOAP-EUC")["capacity"], 34)
		self.assertEqual(api.capacity("DEMO-SOAP-GIFT")["capacity"], 33)
		mug = api.capacity(demo.MUG)
		self.assertEqual((mug["capacity"], mug["limiting"]), (demo.MUG_CAPACITY, ["DEMO-GLAZE-CELADON"]))
		self.assertEqual(api.capacity("DEMO-SPEAKER")["capacity"], 72)  # 30 STM32 + 42 GD32, pooled
