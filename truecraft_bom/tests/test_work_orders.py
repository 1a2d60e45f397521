"""Work Orders and planning on the engine: the worked example of the issue, asserted to the cent.

A candle: 0.5 kg of wax per candle with 5 % attrition and 0.4 kg to prime the pot, a wick, 0.1 kg of dye
(consumable), 0.2 hours of labour at 25 (non-stock), a ribbon (optional); 0.05 kg of trimmings come out per
candle. Ten candles (tests/test_order.py works the same numbers in the engine):
- required items: wax 0.5 x 10 x 1.05 + 0.4 = 5.65 kg (overage 0.65), 10 wicks; no dye, labour or ribbon;
- transfer: wax 5.65 x 4 = 22.60 and wicks 10 x 0.30 = 3.00: WIP Dr 25.60 / Stores Cr 25.60;
- manufacture: materials 25.60 + labour 2 h x 25 = 50.00 - trimmings 0.5 kg x 1 = 0.50: ten candles worth
  75.10 (7.51 each); WIP Cr 25.60, Stores Dr 75.60 (candles and trimmings), labour account Cr 50.00.
"""

import frappe
from erpnext.manufacturing.doctype.work_order.work_order import close_work_order, stop_unstop
from erpnext.stock import get_warehouse_account_map
from frappe.utils import flt

from truecraft_bom import accounts, api, production, reservation, stock
from truecraft_bom.errors import ReservedStockError
from truecraft_bom.planning import get_items_for_material_requests
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

WAX, WICK, DYE, LABOUR, RIBBON, TRIM = "WO-WAX", "WO-WICK", "WO-DYE", "WO-LABOUR", "WO-RIBBON", "WO-TRIM"
CANDLE, KIT, SA = "WO-CANDLE", "WO-KIT", "WO-SUB"
START = {WAX: (100, 4), WICK: (50, 0.3), DYE: (10, 2), RIBBON: (20, 0.5)}


class TestWorkOrders(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = f.company()
		cls.stores = f.warehouse()
		cls.wip = f.warehouse("TrueCraft WIP")
		cls.scrap = f.warehouse("TrueCraft Scrap")
		f.make_item(WAX, stock_uom="Kg", rate=4)
		f.make_item(WICK, rate=0.3)
		f.make_item(DYE, stock_uom="Kg", rate=2)
		f.make_item(LABOUR, stock_uom="Hour", is_stock=False, rate=25)
		f.make_item(RIBBON, rate=0.5)
		f.make_item(TRIM, stock_uom="Kg", rate=1)
		f.make_item(CANDLE)
		f.make_bom(
			CANDLE,
			[
				{"item_code": WAX, "qty": 0.5, "tc_attrition": 5, "tc_setup_qty": 0.4},
				{"item_code": WICK, "qty": 1},
				{"item_code": DYE, "qty": 0.1, "tc_consumable": 1},
				{"item_code": LABOUR, "qty": 0.2},
				{"item_code": RIBBON, "qty": 1, "tc_optional": 1},
			],
			scrap_items=[{"item_code": TRIM, "stock_qty": 0.05, "qty": 0.05, "rate": 1}],
		)
		for code, (qty, rate) in START.items():
			f.receive(code, qty, rate=rate)
		f.set_settings(non_stock_expense_account=None)
		cls.stock_account = get_warehouse_account_map(cls.company)[cls.stores].account
		cls.labour_account = frappe.get_cached_value(
			"Company", cls.company, "default_operating_cost_account"
		) or frappe.get_cached_value("Company", cls.company, "expenses_included_in_valuation")

	def setUp(self):
		super().setUp()
		self.wip_account = accounts.set_up_wip_account(self.company, self.wip)["account"]

	# helpers

	def order(self, qty=10, submit=True, **fields):
		doc = frappe.get_doc(
			{
				"doctype": "Work Order",
				"production_item": CANDLE,
				"bom_no": frappe.db.get_value("BOM", {"item": CANDLE, "is_default": 1}),
				"qty": qty,
				"company": self.company,
				"source_warehouse": self.stores,
				"wip_warehouse": self.wip,
				"fg_warehouse": self.stores,
				"scrap_warehouse": self.scrap,
				**fields,
			}
		)
		doc.insert()
		if submit:
			doc.submit()
		return doc

	def entry(self, order, purpose, qty=None):
		doc = frappe.get_doc(production.make_stock_entry(order.name, purpose, qty))
		doc.insert()
		doc.submit()
		return doc

	def reserved(self, order=None) -> dict[str, float]:
		"""item -> open reservation in the stores (of ``order``, or of every order)."""
		held = reservation.held_by_orders([WAX, WICK, DYE, RIBBON], [self.stores])
		return {
			item: flt(sum(q for o, q in orders.items() if order is None or o == order.name), 6)
			for (item, _wh), orders in held.items()
		}

	def gl_rows(self, entry) -> list[tuple[str, float, float]]:
		rows = frappe.get_all(
			"GL Entry",
			filters={"voucher_type": "Stock Entry", "voucher_no": entry.name, "is_cancelled": 0},
			fields=["account", "sum(debit) as debit", "sum(credit) as credit"],
			group_by="account",
			order_by="account",
		)
		return sorted((row.account, flt(row.debit, 2), flt(row.credit, 2)) for row in rows)

	def balance(self, account) -> float:
		rows = frappe.get_all(
			"GL Entry",
			filters={"account": account, "is_cancelled": 0, "company": self.company},
			fields=["sum(debit) - sum(credit) as balance"],
		)
		return flt(rows[0].balance, 2) if rows else 0

	# the worked example

	def test_required_items_come_from_the_engine(self):
		order = self.order(submit=False)
		rows = {row.item_code: (row.required_qty, row.tc_overage_qty) for row in order.required_items}
		self.assertEqual(rows, {WAX: (5.65, 0.65), WICK: (10, 0)})
		order.tc_include_optional = 1
		order.save()
		self.assertEqual({row.item_code: row.required_qty for row in order.required_items}[RIBBON], 10)
		order.qty = 20
		order.tc_include_optional = 0
		order.save()
		rows = {row.item_code: (row.required_qty, row.tc_overage_qty) for row in order.required_items}
		self.assertEqual(rows, {WAX: (10.9, 0.9), WICK: (20, 0)})  # the setup counts once per order

	def test_the_worked_example_to_the_cent(self):
		self.assertEqual(api.capacity(CANDLE, warehouse=self.stores)["capacity"], 50)
		order = self.order()

		# submitted: the materials are reserved, others are refused them, capacity drops
		self.assertEqual(self.reserved(order), {WAX: 5.65, WICK: 10})
		self.assertEqual(
			flt(
				frappe.db.get_value("Bin", {"item_code": WAX, "warehouse": self.stores}, "reserved_stock"), 6
			),
			5.65,
		)
		self.assertEqual(stock.totals([WAX], self.stores)[WAX].reserved, 5.65)  # counted once
		with self.assertRaises(ReservedStockError) as refused:
			f.issue(WAX, 95)
		message = str(refused.exception)
		for part in (WAX, "94.35", order.name):
			self.assertIn(part, message)
		self.assertEqual(api.capacity(CANDLE, warehouse=self.stores)["capacity"], 40)

		# transfer: the engine's quantities, WIP Dr / Stores Cr, the reservation taken
		transfer = self.entry(order, production.TRANSFER)
		rows = {row.item_code: (row.qty, row.tc_overage_qty) for row in transfer.items}
		self.assertEqual(rows, {WAX: (5.65, 0.65), WICK: (10, 0)})
		self.assertEqual(
			self.gl_rows(transfer), sorted([(self.stock_account, 0, 25.60), (self.wip_account, 25.60, 0)])
		)
		self.assertEqual(self.reserved(order), {})
		f.issue(WAX, 94.35)  # what is left is free again
		f.receive(WAX, 94.35, rate=4)

		# manufacture: materials from WIP, labour as its own cost row, trimmings to scrap, WIP back to zero
		made = self.entry(order, production.MANUFACTURE)
		materials = {
			row.item_code: (row.qty, row.s_warehouse, row.tc_overage_qty)
			for row in made.items
			if row.s_warehouse
		}
		self.assertEqual(materials, {WAX: (5.65, self.wip, 0.65), WICK: (10, self.wip, 0)})
		finished = [row for row in made.items if row.is_finished_item]
		self.assertEqual([(r.item_code, r.qty, flt(r.amount, 2)) for r in finished], [(CANDLE, 10, 75.10)])
		scrap = [row for row in made.items if row.is_scrap_item]
		self.assertEqual(
			[(r.item_code, r.qty, r.t_warehouse, flt(r.amount, 2)) for r in scrap],
			[(TRIM, 0.5, self.scrap, 0.50)],
		)
		self.assertEqual(
			[(row.expense_account, flt(row.amount, 2)) for row in made.additional_costs],
			[(self.labour_account, 50.00)],
		)
		self.assertEqual(
			self.gl_rows(made),
			sorted(
				[
					(self.stock_account, 75.60, 0),
					(self.wip_account, 0, 25.60),
					(self.labour_account, 0, 50.00),
				]
			),
		)
		self.assertEqual(self.balance(self.wip_account), 0)
		order.reload()
		self.assertEqual(order.status, "Completed")
		self.assertEqual(self.reserved(order), {})

		# cancel the manufacture, then the transfer: the reservation and the ledgers are as before
		made.cancel()
		self.assertEqual(self.gl_rows(made), [])
		self.assertEqual(self.reserved(order), {})
		self.assertEqual(self.balance(self.wip_account), 25.60)
		transfer.cancel()
		self.assertEqual(self.gl_rows(transfer), [])
		self.assertEqual(self.balance(self.wip_account), 0)
		self.assertEqual(self.reserved(order), {WAX: 5.65, WICK: 10})

		# closing the order releases the rest
		close_work_order(order.name, "Closed")
		self.assertEqual(self.reserved(order), {})
		self.assertEqual(
			flt(
				frappe.db.get_value("Bin", {"item_code": WAX, "warehouse": self.stores}, "reserved_stock"), 6
			),
			0,
		)
		self.assertEqual(api.capacity(CANDLE, warehouse=self.stores)["capacity"], 50)

	def test_a_production_plan_asks_for_the_same_quantities(self):
		plan = frappe.get_doc(
			{
				"doctype": "Production Plan",
				"company": self.company,
				"get_items_from": "",
				"ignore_existing_ordered_qty": 1,
				"for_warehouse": self.stores,
				"po_items": [
					{
						"item_code": CANDLE,
						"bom_no": frappe.db.get_value("BOM", {"item": CANDLE, "is_default": 1}),
						"planned_qty": 10,
						"warehouse": self.stores,
						"include_exploded_items": 1,
						"stock_uom": "Nos",
					}
				],
			}
		)
		items = get_items_for_material_requests(plan.as_dict())
		self.assertEqual({row["item_code"]: flt(row["quantity"], 6) for row in items}, {WAX: 5.65, WICK: 10})

	# the Manufacture entries a sale posts

	def test_a_sale_posts_the_same_costs_scrap_and_overage(self):
		"""Ten candles sold by a Delivery Note: made from materials with labour against the item's own expense
		account, trimmings to scrap and the wax overage on its row."""
		frappe.db.set_value("Item", CANDLE, "tc_deplete_on_sale", 1)
		cogs = frappe.get_cached_value("Company", self.company, "default_expense_account")
		labour = frappe.get_doc("Item", LABOUR)
		row = next((d for d in labour.item_defaults if d.company == self.company), None)
		row = row or labour.append("item_defaults", {"company": self.company})
		row.expense_account = cogs
		labour.save()
		f.set_settings(deplete_on_sale=1, use_finished_stock=1, source_warehouse=None)
		note = f.make_delivery_note([(CANDLE, 10, 20)])
		name = frappe.db.get_value("Stock Entry", {"tc_source_name": note.name, "docstatus": 1})
		made = frappe.get_doc("Stock Entry", name)
		materials = {row.item_code: (row.qty, row.tc_overage_qty) for row in made.items if row.s_warehouse}
		self.assertEqual(materials, {WAX: (5.65, 0.65), WICK: (10, 0)})
		self.assertEqual([(r.item_code, r.qty) for r in made.items if r.is_scrap_item], [(TRIM, 0.5)])
		self.assertEqual(
			[(r.expense_account, flt(r.amount, 2)) for r in made.additional_costs], [(cogs, 50.00)]
		)
		finished = [row for row in made.items if row.is_finished_item]
		self.assertEqual([(r.item_code, r.qty, flt(r.amount, 2)) for r in finished], [(CANDLE, 10, 75.10)])

	# reservations

	def test_other_documents_are_refused_reserved_stock(self):
		order = self.order(qty=40)  # 20.4 wax, all 50 wicks but 10
		with self.assertRaises(ReservedStockError):
			f.issue(WICK, 11)
		f.issue(WICK, 10)
		with self.assertRaises(ReservedStockError) as refused:
			self.order(qty=1)  # another Work Order
		self.assertIn(order.name, str(refused.exception))
		with self.assertRaises(ReservedStockError):
			f.make_delivery_note([(WICK, 1, 1)])

	def test_a_work_order_without_enough_free_stock_is_refused(self):
		with self.assertRaises(ReservedStockError):
			self.order(qty=51)
		self.assertFalse(
			frappe.db.exists(
				"Stock Reservation Entry",
				{
					"item_code": WICK,
					"voucher_type": "Work Order",
					"docstatus": 1,
					"warehouse": self.stores,
					"reserved_qty": 51,
				},
			)
		)

	def test_stopping_and_cancelling_release_the_reservation(self):
		order = self.order()
		stop_unstop(order.name, "Stopped")
		self.assertEqual(self.reserved(order), {})
		stop_unstop(order.name, "Resumed")
		self.assertEqual(self.reserved(order), {WAX: 5.65, WICK: 10})
		order.reload()
		order.cancel()
		self.assertEqual(self.reserved(order), {})
		self.assertFalse(
			frappe.db.exists("Stock Reservation Entry", {"voucher_no": order.name, "docstatus": 1})
		)

	def test_a_partial_transfer_takes_its_share(self):
		order = self.order()
		transfer = self.entry(order, production.TRANSFER, qty=4)
		rows = {row.item_code: flt(row.qty, 6) for row in transfer.items}
		self.assertEqual(rows, {WAX: 2.26, WICK: 4})
		self.assertEqual(self.reserved(order), {WAX: 3.39, WICK: 6})
		rest = self.entry(order, production.TRANSFER, qty=6)
		self.assertEqual({row.item_code: flt(row.qty, 6) for row in rest.items}, {WAX: 3.39, WICK: 6})
		self.assertEqual(self.reserved(order), {})

	def test_manufacture_without_transfer_takes_from_the_source(self):
		order = self.order(skip_transfer=1)
		made = self.entry(order, production.MANUFACTURE)
		materials = {row.item_code: (row.qty, row.s_warehouse) for row in made.items if row.s_warehouse}
		self.assertEqual(materials, {WAX: (5.65, self.stores), WICK: (10, self.stores)})
		self.assertEqual(self.reserved(order), {})
		made.cancel()
		self.assertEqual(self.reserved(order), {WAX: 5.65, WICK: 10})


class TestFirstLevel(f.TrueCraftTestCase):
	def test_without_multi_level_sub_assemblies_are_items(self):
		f.make_item(WAX, stock_uom="Kg", rate=4)
		f.make_item(WICK, rate=0.3)
		f.make_item(SA)
		f.make_item(KIT)
		f.make_bom(SA, [{"item_code": WAX, "qty": 1, "tc_setup_qty": 0.5}])
		bom = f.make_bom(KIT, [{"item_code": SA, "qty": 2}, {"item_code": WICK, "qty": 1}])
		order = f.make_work_order(KIT, bom.name, 3, submit=False)
		self.assertEqual(
			{row.item_code: row.required_qty for row in order.required_items}, {WAX: 6.5, WICK: 3}
		)
		order.use_multi_level_bom = 0
		order.save()
		self.assertEqual({row.item_code: row.required_qty for row in order.required_items}, {SA: 6, WICK: 3})

	def test_a_plan_with_sub_assemblies_asks_for_what_its_work_orders_take(self):
		"""KIT = 2 SUB (5 % attrition) + 1 WICK; SUB = 1 WAX with 0.5 setup. 3 kits: SUB is built for
		2 x 3 x 1.05 = 6.3 units, which take 6.3 + 0.5 = 6.8 wax; the kit itself takes 3 wicks."""
		f.make_item(WAX, stock_uom="Kg", rate=4)
		f.make_item(WICK, rate=0.3)
		f.make_item(SA, stock_uom="Kg")
		f.make_item(KIT)
		f.make_bom(SA, [{"item_code": WAX, "qty": 1, "tc_setup_qty": 0.5}])
		bom = f.make_bom(KIT, [{"item_code": SA, "qty": 2, "tc_attrition": 5}, {"item_code": WICK, "qty": 1}])
		plan = frappe.get_doc(
			{
				"doctype": "Production Plan",
				"company": f.company(),
				"ignore_existing_ordered_qty": 1,
				"for_warehouse": f.warehouse(),
				"sub_assembly_warehouse": f.warehouse(),
				"po_items": [
					{
						"item_code": KIT,
						"bom_no": bom.name,
						"planned_qty": 3,
						"warehouse": f.warehouse(),
						"stock_uom": "Nos",
					}
				],
			}
		)
		plan.insert()
		plan.run_method("get_sub_assembly_items")
		self.assertEqual([(row.production_item, row.qty) for row in plan.sub_assembly_items], [(SA, 6.3)])
		items = get_items_for_material_requests(plan.as_dict())
		self.assertEqual({row["item_code"]: flt(row["quantity"], 6) for row in items}, {WAX: 6.8, WICK: 3})
