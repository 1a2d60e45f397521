"""The sale warning's server side (api.sellable): how many of each made-to-order line can be sold now, before
the sale is submitted, by the same rules a submitted sale follows (finished stock first, materials source)."""

import json

import frappe
from frappe.utils import flt

from truecraft_bom import api
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

OIL, WRAP, SOAP, CANDLE, PLAIN, LOOSE = (
	"SELL-OIL",
	"SELL-WRAP",
	"SELL-SOAP",
	"SELL-CANDLE",
	"SELL-PLAIN",
	"SELL-LOOSE",
)


class TestSellable(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.wh = f.warehouse()
		cls.other = f.warehouse("TrueCraft Materials")
		f.make_item(OIL, stock_uom="Kg", rate=2)
		f.make_item(WRAP, rate=0.1)
		f.make_item(PLAIN, rate=1)  # sold as it is
		for code in (SOAP, CANDLE, LOOSE):
			f.make_item(code, tc_deplete_on_sale=1)
		f.make_bom(SOAP, [{"item_code": OIL, "qty": 1}, {"item_code": WRAP, "qty": 1}])
		f.make_bom(CANDLE, [{"item_code": OIL, "qty": 2}])
		f.receive(OIL, 10, rate=2)  # 10 soaps, or 5 candles
		f.receive(WRAP, 100, rate=0.1)
		f.receive(SOAP, 2, rate=5)  # finished soaps on the shelf
		f.receive(OIL, 40, rate=2, to_warehouse=cls.other)

	def sellable(self, *lines, **kwargs):
		items = [{"item_code": code, "warehouse": self.wh, "qty": qty} for code, qty in lines]
		return api.sellable(json.dumps(items), **kwargs)

	def test_finished_stock_first_then_what_can_be_made(self):
		rows = self.sellable((SOAP, 12), (SOAP, 13))["items"]
		self.assertEqual([row["made_to_order"] for row in rows], [True, True])
		self.assertEqual(flt(rows[0]["sellable"]), 12)  # 2 on the shelf + 10 from the oil
		self.assertFalse(self.sellable((SOAP, 12))["items"][0]["short"])
		self.assertTrue(rows[1]["short"])

	def test_lines_of_one_product_count_together(self):
		rows = self.sellable((SOAP, 7), (SOAP, 6))["items"]
		self.assertEqual([row["short"] for row in rows], [True, True])
		self.assertEqual(flt(rows[0]["ordered"]), 13)

	def test_without_finished_stock(self):
		f.set_settings(use_finished_stock=0)
		self.assertEqual(flt(self.sellable((SOAP, 1))["items"][0]["sellable"]), 10)
		f.set_settings(use_finished_stock=1)
		# a Sales Invoice without Update Stock takes materials for every unit: the page asks without it
		self.assertEqual(flt(self.sellable((SOAP, 1), use_finished_stock=0)["items"][0]["sellable"]), 10)

	def test_materials_source_warehouse(self):
		f.set_settings(source_warehouse=self.other)
		self.assertEqual(flt(self.sellable((CANDLE, 1))["items"][0]["sellable"]), 20)

	def test_other_lines_are_not_checked(self):
		result = self.sellable((PLAIN, 1000), (SOAP, 1))
		plain, soap = result["items"]
		self.assertFalse(plain["made_to_order"])
		self.assertNotIn("sellable", plain)
		self.assertFalse(soap["short"])
		self.assertEqual(result["shortfalls"], [])

	def test_a_product_without_a_bom_sells_only_what_is_on_the_shelf(self):
		row = self.sellable((LOOSE, 1))["items"][0]
		self.assertTrue(row["short"])
		self.assertEqual(flt(row["sellable"]), 0)
		self.assertIn(LOOSE, row["error"])

	def test_products_sharing_a_material_are_checked_together(self):
		# 8 soaps (2 from the shelf) take 6 kg of oil and 3 candles take 6: each fits alone, not together
		result = self.sellable((SOAP, 8), (CANDLE, 3))
		self.assertEqual([row["short"] for row in result["items"]], [False, False])
		self.assertEqual(len(result["shortfalls"]), 1)
		shortfall = result["shortfalls"][0]
		self.assertEqual(shortfall["items"], [OIL])
		self.assertEqual((flt(shortfall["needed"]), flt(shortfall["available"])), (12, 10))

	def test_sellers_without_bom_access_may_ask(self):
		frappe.set_user(f.make_user("tc-sellable-seller@example.com", ["Sales User"]))
		self.assertTrue(self.sellable((SOAP, 20))["items"][0]["short"])

	def test_users_without_item_or_sales_access_are_refused(self):
		frappe.set_user(f.make_user("tc-sellable-nobody@example.com", []))
		with self.assertRaises(frappe.PermissionError):
			self.sellable((SOAP, 1))
