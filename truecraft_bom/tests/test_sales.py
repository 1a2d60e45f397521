"""A sale depletes its materials: the soap maker of the artisan-business article (docs/design.md) on a real site.

Three soaps share lavender oil; selling bars makes the shortfall from materials in the same transaction,
values the product at materials + non-stock costs, and cancelling puts everything back.
"""

from datetime import timedelta

import frappe
from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_delivery_note as note_from_invoice
from erpnext.stock import get_warehouse_account_map
from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice as invoice_from_delivery_note
from frappe.utils import flt, get_datetime, get_time

from truecraft_bom.errors import InsufficientMaterialsError
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

LAV, COCONUT, WRAP, BOX, LABOUR = "SALE-LAV-OIL", "SALE-COCONUT", "SALE-WRAP", "SALE-BOX", "SALE-LABOUR"
SOAP, DREAM, CALM, SET, KIT = "SALE-SOAP-LAV", "SALE-SOAP-DREAM", "SALE-SOAP-CALM", "SALE-SET", "SALE-KIT"
START = {LAV: 65, COCONUT: 800, WRAP: 500, BOX: 20}
RATES = {LAV: 0.9, COCONUT: 0.12, WRAP: 0.1, BOX: 1.5}


class TestSaleDepletion(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.wh = f.warehouse()
		for code in (LAV, COCONUT):
			f.make_item(code, stock_uom="Kg", rate=RATES[code])
		f.make_item(WRAP, rate=RATES[WRAP])
		f.make_item(BOX, rate=RATES[BOX])
		f.make_item(LABOUR, stock_uom="Hour", is_stock=False, rate=2.5)
		for code in (SOAP, DREAM, CALM, SET, KIT):
			f.make_item(code, tc_deplete_on_sale=1)
		f.make_bom(
			SOAP,
			[
				{"item_code": LAV, "qty": 1.2, "tc_attrition": 2},
				{"item_code": COCONUT, "qty": 8},
				{"item_code": WRAP, "qty": 1},
				{"item_code": LABOUR, "qty": 0.1},
			],
		)
		f.make_bom(
			DREAM,
			[{"item_code": LAV, "qty": 0.6}, {"item_code": COCONUT, "qty": 8}, {"item_code": WRAP, "qty": 1}],
		)
		f.make_bom(
			CALM, [{"item_code": LAV, "qty": 0.4, "tc_setup_qty": 0.5}, {"item_code": COCONUT, "qty": 8}]
		)
		# 3 levels: KIT -> SET -> soaps -> oils
		f.make_bom(SET, [{"item_code": SOAP, "qty": 1}, {"item_code": DREAM, "qty": 1}])
		f.make_bom(KIT, [{"item_code": SET, "qty": 2}, {"item_code": BOX, "qty": 1}])
		for code, qty in START.items():
			f.receive(code, qty, rate=RATES[code])
		company = f.company()
		cls.stock_account = get_warehouse_account_map(company)[cls.wh].account
		cls.labour_account = frappe.get_cached_value("Company", company, "expenses_included_in_valuation")
		cls.cogs = frappe.get_cached_value("Company", company, "default_expense_account")
		f.set_settings(
			deplete_on_sale=1,
			use_finished_stock=1,
			consumables_at_sale="Do not deplete",
			source_warehouse=None,
			non_stock_expense_account=cls.labour_account,
		)

	def assert_stock(self, expected: dict):
		self.assertEqual(
			{code: f.stock(code) for code in expected}, {c: flt(q, 6) for c, q in expected.items()}
		)

	def entries(self, doc):
		return frappe.get_all(
			"Stock Entry",
			filters={"tc_source_doctype": doc.doctype, "tc_source_name": doc.name},
			fields=["name", "purpose", "docstatus"],
			order_by="creation",
		)

	def test_invoice_with_stock_update_makes_the_product_from_its_materials(self):
		invoice = f.make_sales_invoice([(SOAP, 10, 8)])
		[entry] = self.entries(invoice)
		self.assertEqual((entry.purpose, entry.docstatus), ("Manufacture", 1))
		# every material drops by exactly 10 x its per-bar need, overage included
		self.assertEqual(
			f.stock_ledger("Stock Entry", entry.name), {LAV: -12.24, COCONUT: -80, WRAP: -10, SOAP: 10}
		)
		self.assertEqual(f.stock_ledger("Sales Invoice", invoice.name), {SOAP: -10})
		self.assert_stock({LAV: 65 - 12.24, COCONUT: 720, WRAP: 490, SOAP: 0})
		# the bar is valued at its materials plus its labour (a non-stock line), so COGS carries the true cost
		materials = 12.24 * 0.9 + 80 * 0.12 + 10 * 0.1
		labour = 10 * 0.1 * 2.5
		incoming = frappe.db.get_value(
			"Stock Ledger Entry",
			{"voucher_no": entry.name, "item_code": SOAP, "is_cancelled": 0},
			"incoming_rate",
		)
		# ERPNext keeps rates to the currency precision (2 places)
		self.assertAlmostEqual(incoming, (materials + labour) / 10, delta=0.001)
		self.assertEqual(
			f.general_ledger("Stock Entry", entry.name),
			{self.stock_account: flt(labour, 6), self.labour_account: -flt(labour, 6)},
		)
		ledger = f.general_ledger("Sales Invoice", invoice.name)
		self.assertAlmostEqual(ledger[self.cogs], materials + labour, delta=0.01)
		self.assertAlmostEqual(ledger[self.stock_account], -(materials + labour), delta=0.01)
		# the entry shows under the invoice's connections
		from frappe.desk.notifications import get_open_count

		found = get_open_count("Sales Invoice", invoice.name)["count"]["external_links_found"]
		self.assertEqual({row["doctype"]: row["count"] for row in found}["Stock Entry"], 1)

	def test_cancel_puts_stock_and_ledgers_back_and_amend_posts_afresh(self):
		gl_before = frappe.db.count("GL Entry", {"is_cancelled": 0})
		invoice = f.make_sales_invoice([(SOAP, 10, 8), (DREAM, 5, 7)])
		entries = self.entries(invoice)
		self.assertEqual(len(entries), 2)
		invoice.reload()
		invoice.cancel()
		self.assertEqual({e.docstatus for e in self.entries(invoice)}, {2})
		self.assert_stock({**START, SOAP: 0, DREAM: 0})
		for entry in entries:
			self.assertEqual(f.general_ledger("Stock Entry", entry.name), {})
			self.assertEqual(f.stock_ledger("Stock Entry", entry.name), {})
		self.assertEqual(frappe.db.count("GL Entry", {"is_cancelled": 0}), gl_before)
		amended = frappe.copy_doc(invoice)
		amended.docstatus = 0
		amended.amended_from = invoice.name
		amended.insert()
		amended.submit()
		self.assertEqual(len(self.entries(amended)), 2)
		self.assertEqual(f.stock(LAV), flt(65 - 12.24 - 3, 6))

	def test_entries_post_just_before_the_sale_and_queue_no_repost(self):
		# two products sharing materials: at the sale's own time, each later entry and the sale itself would
		# see a "future" movement of the same materials and queue a Repost Item Valuation per item-warehouse
		invoice = f.make_sales_invoice([(SOAP, 2, 8), (DREAM, 1, 7)])
		entries = frappe.get_all(
			"Stock Entry",
			filters={"tc_source_doctype": "Sales Invoice", "tc_source_name": invoice.name},
			pluck="name",
		)
		self.assertEqual(len(entries), 2)
		# what this sale queued (entries of other tests on a shared site may queue their own)
		queued = frappe.get_all(
			"Repost Item Valuation",
			filters={"voucher_no": ("in", [invoice.name, *entries])},
			fields=["voucher_type", "voucher_no", "item_code", "warehouse"],
		)
		self.assertEqual(queued, [])
		sale_time = get_datetime(f"{invoice.posting_date} {get_time(invoice.posting_time)}")
		times = [
			get_datetime(f"{row.posting_date} {get_time(row.posting_time)}")
			for row in frappe.get_all(
				"Stock Entry",
				filters={"tc_source_doctype": "Sales Invoice", "tc_source_name": invoice.name},
				fields=["posting_date", "posting_time"],
				order_by="creation",
			)
		]
		self.assertEqual(
			times, [sale_time - timedelta(microseconds=2), sale_time - timedelta(microseconds=1)]
		)

	def test_finished_stock_on_hand_is_sold_first(self):
		f.receive(SOAP, 4, rate=2)
		invoice = f.make_sales_invoice([(SOAP, 10, 8)])
		[entry] = self.entries(invoice)
		self.assertEqual(f.stock_ledger("Stock Entry", entry.name)[SOAP], 6)
		self.assertEqual(f.stock_ledger("Stock Entry", entry.name)[LAV], flt(-6 * 1.224, 6))
		f.set_settings(use_finished_stock=0)
		try:
			f.receive(SOAP, 4, rate=2)
			second = f.make_sales_invoice([(SOAP, 3, 8)])
			self.assertEqual(f.stock_ledger("Stock Entry", self.entries(second)[0].name)[SOAP], 3)
			self.assertEqual(f.stock(SOAP), 4)
		finally:
			f.set_settings(use_finished_stock=1)

	def test_three_level_kit_takes_leaf_materials(self):
		invoice = f.make_sales_invoice([(KIT, 2, 40)])
		[entry] = self.entries(invoice)
		# 2 kits = 4 sets = 4 lavender soaps + 4 dream soaps, made straight from their materials
		self.assertEqual(
			f.stock_ledger("Stock Entry", entry.name),
			{LAV: flt(-(4 * 1.224 + 4 * 0.6), 6), COCONUT: -64, WRAP: -8, BOX: -2, KIT: 2},
		)
		self.assert_stock({SOAP: 0, DREAM: 0, SET: 0, KIT: 0})

	def test_shortage_lists_every_short_material_and_posts_nothing(self):
		ledger_rows = frappe.db.count("Stock Ledger Entry")
		entries = frappe.db.count("Stock Entry")
		invoice = f.make_sales_invoice([(SOAP, 60, 8), (CALM, 60, 8)], submit=False)
		with self.assertRaises(InsufficientMaterialsError) as raised:
			invoice.submit()
		message = str(raised.exception)
		# lavender: 60 x 1.224 + (60 x 0.4 + 0.5) = 97.94 > 65; coconut: 120 x 8 = 960 > 800
		self.assertIn(f"<strong>{LAV}</strong>: needed 97.94, available 65", message)
		self.assertIn(f"<strong>{COCONUT}</strong>: needed 960, available 800", message)
		self.assertIn(f"<strong>{SOAP}</strong>: 53", message)  # 65 / 1.224
		self.assertIn(f"<strong>{CALM}</strong>: 100", message)  # coconut 800 / 8
		self.assertIn("Nothing was posted", message)
		self.assertEqual(frappe.db.count("Stock Ledger Entry"), ledger_rows)
		self.assertEqual(frappe.db.count("Stock Entry"), entries)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "docstatus"), 0)

	def test_invoice_without_stock_update_issues_the_materials(self):
		invoice = f.make_sales_invoice([(SOAP, 5, 8)], update_stock=0)
		[entry] = self.entries(invoice)
		self.assertEqual(entry.purpose, "Material Issue")
		self.assertEqual(f.stock_ledger("Stock Entry", entry.name), {LAV: -6.12, COCONUT: -40, WRAP: -5})
		ledger = f.general_ledger("Stock Entry", entry.name)
		self.assertAlmostEqual(ledger[self.cogs], 6.12 * 0.9 + 40 * 0.12 + 5 * 0.1, delta=0.01)
		invoice.reload()
		invoice.cancel()
		self.assert_stock(START)

	def test_invoice_from_a_delivery_note_does_not_deplete_twice(self):
		note = f.make_delivery_note([(SOAP, 5, 8)])
		self.assertEqual(len(self.entries(note)), 1)
		self.assertEqual(f.stock(LAV), flt(65 - 6.12, 6))
		invoice = invoice_from_delivery_note(note.name)
		invoice.insert()
		invoice.submit()
		self.assertEqual(self.entries(invoice), [])
		self.assertEqual(f.stock(LAV), flt(65 - 6.12, 6))

	def test_an_entry_of_a_sale_cannot_be_cancelled_alone(self):
		invoice = f.make_sales_invoice([(SOAP, 1, 8)])
		entry = frappe.get_doc("Stock Entry", self.entries(invoice)[0].name)
		with self.assertRaises(frappe.ValidationError) as raised:
			entry.cancel()
		self.assertIn("cancel that document instead", str(raised.exception))

	def test_items_not_marked_and_disabled_settings_deplete_nothing(self):
		f.make_item("SALE-PLAIN-SOAP")
		f.make_bom("SALE-PLAIN-SOAP", [{"item_code": LAV, "qty": 1}])
		f.receive("SALE-PLAIN-SOAP", 5, rate=3)
		invoice = f.make_sales_invoice([("SALE-PLAIN-SOAP", 2, 8)])
		self.assertEqual(self.entries(invoice), [])
		f.set_settings(deplete_on_sale=0)
		try:
			f.receive(SOAP, 2, rate=2)
			invoice = f.make_sales_invoice([(SOAP, 2, 8)])
			self.assertEqual(self.entries(invoice), [])
		finally:
			f.set_settings(deplete_on_sale=1)
		self.assertEqual(f.stock(LAV), 65)

	def test_delivery_note_from_a_depleted_invoice_does_not_deplete_again(self):
		invoice = f.make_sales_invoice([(SOAP, 5, 8)], update_stock=0)
		self.assertEqual(f.stock(LAV), flt(65 - 6.12, 6))
		f.receive(SOAP, 5, rate=2.5)  # the finished bars the note ships
		# with finished stock not used first, a note that depleted again would make 5 more bars here
		f.set_settings(use_finished_stock=0)
		try:
			note = note_from_invoice(invoice.name)
			note.insert()
			note.submit()
		finally:
			f.set_settings(use_finished_stock=1)
		self.assertEqual(self.entries(note), [])
		self.assertEqual(f.stock(LAV), flt(65 - 6.12, 6))
		self.assertEqual(f.stock(SOAP), 0)

	def test_consumable_lines_follow_the_setting(self):
		f.make_item("SALE-LABEL", rate=0.02)
		f.receive("SALE-LABEL", 100, rate=0.02)
		f.make_item("SALE-SOAP-LABELLED", tc_deplete_on_sale=1)
		f.make_bom(
			"SALE-SOAP-LABELLED",
			[{"item_code": LAV, "qty": 1}, {"item_code": "SALE-LABEL", "qty": 1, "tc_consumable": 1}],
		)
		first = f.make_sales_invoice([("SALE-SOAP-LABELLED", 3, 8)])
		self.assertNotIn("SALE-LABEL", f.stock_ledger("Stock Entry", self.entries(first)[0].name))
		f.set_settings(consumables_at_sale="Deplete")
		try:
			second = f.make_sales_invoice([("SALE-SOAP-LABELLED", 3, 8)])
			self.assertEqual(f.stock_ledger("Stock Entry", self.entries(second)[0].name)["SALE-LABEL"], -3)
		finally:
			f.set_settings(consumables_at_sale="Do not deplete")
		self.assertEqual(f.stock("SALE-LABEL"), 97)

	def test_materials_come_from_the_source_warehouse_in_settings(self):
		materials = f.warehouse("TrueCraft Materials")
		for code, qty in ((LAV, 10), (COCONUT, 100), (WRAP, 10)):
			f.receive(code, qty, rate=RATES[code], to_warehouse=materials)
		f.set_settings(source_warehouse=materials)
		try:
			invoice = f.make_sales_invoice([(SOAP, 2, 8)])
		finally:
			f.set_settings(source_warehouse=None)
		[entry] = self.entries(invoice)
		rows = frappe.get_all(
			"Stock Entry Detail",
			filters={"parent": entry.name},
			fields=["item_code", "s_warehouse", "t_warehouse"],
		)
		self.assertEqual({r.s_warehouse for r in rows if r.item_code != SOAP}, {materials})
		self.assertEqual({r.t_warehouse for r in rows if r.item_code == SOAP}, {self.wh})
		self.assertEqual(f.stock(LAV, materials), flt(10 - 2.448, 6))
		self.assertEqual(f.stock(LAV), 65)  # the selling warehouse's own oil is untouched
