"""The Production Capacity, Material Runway and Sales Depletion Ledger reports on the soap maker, their charts,
Auto Email Report, and the TrueCraft workspace with its number cards and chart."""

import json

import frappe
from frappe.desk.query_report import run as run_report
from frappe.utils import flt

from truecraft_bom import capacity, refresh
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

LAV, COCONUT, WRAP, BOX, LABOUR = f.SOAP_MATERIALS
SOAP, DREAM, SET, GIFT, SERVICE = PRODUCTS = f.SOAP_PRODUCTS
REPORTS = ("Production Capacity", "Material Runway", "Sales Depletion Ledger")


class ReportTestCase(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		f.make_soap_catalog()
		frappe.db.set_value("Item", LAV, "lead_time_days", 20)
		frappe.db.set_value("Item", SOAP, "tc_capacity_target", 60)
		item = frappe.get_doc("Item", LAV)
		item.append(
			"reorder_levels",
			{
				"warehouse": f.warehouse(),
				"warehouse_reorder_level": 50,
				"warehouse_reorder_qty": 100,
				"material_request_type": "Purchase",
			},
		)
		item.save()
		# a sale of 5 bars (6.12 oil, 40 coconut, 5 wraps) and 8.88 oil used otherwise: 50 oil left
		cls.invoice = f.make_sales_invoice([(SOAP, 5, 8)])
		f.issue(LAV, 8.88)
		refresh.clear()
		capacity.refresh(capacity.products(), isolated=False)

	def setUp(self):
		super().setUp()
		refresh.clear()

	def report(self, name: str, **filters) -> dict:
		return run_report(name, filters={"company": f.company(), **filters}, ignore_prepared_report=True)


class TestProductionCapacityReport(ReportTestCase):
	def test_rows_lowest_first_with_limits_value_and_target(self):
		result = self.report("Production Capacity")
		rows = {row["item_code"]: row for row in result["result"] if row["item_code"] in PRODUCTS}
		# 50 oil: 27 sets, 40 bars, 83 dream soaps; 20 boxes
		self.assertEqual(
			{code: row["capacity"] for code, row in rows.items()},
			{SET: 27, GIFT: 20, SOAP: 40, DREAM: 83, SERVICE: None},
		)
		ours = [row["item_code"] for row in result["result"] if row["item_code"] in PRODUCTS]
		self.assertEqual(ours, [GIFT, SET, SOAP, DREAM, SERVICE])
		self.assertEqual(rows[SOAP]["limiting"], LAV)
		self.assertEqual(rows[SOAP]["target"], 60)
		self.assertEqual(rows[SERVICE]["unlimited"], 1)
		self.assertEqual(flt(rows[GIFT]["material_value"], 2), 30)  # 20 boxes at 1.5
		# the chart shows the site's lowest capacities: filtered to our material so that other products on a
		# shared site (a demo shop) cannot crowd ours out of it
		chart = self.report("Production Capacity", material=LAV)["chart"]
		self.assertEqual(chart["type"], "bar")
		labels = chart["data"]["labels"]
		self.assertEqual(labels, [SET, SOAP, DREAM])
		[capacities, targets] = chart["data"]["datasets"]
		self.assertEqual(list(capacities["values"]), [27, 40, 83])
		self.assertEqual(dict(zip(labels, targets["values"], strict=True))[SOAP], 60)

	def test_filters_material_and_below_target(self):
		used = self.report("Production Capacity", material=LAV)["result"]
		self.assertEqual([row["item_code"] for row in used], [SET, SOAP, DREAM])
		below = self.report("Production Capacity", below_target=1)["result"]
		self.assertEqual([row["item_code"] for row in below if row["item_code"] in PRODUCTS], [SOAP])
		self.assertEqual(self.report("Production Capacity", item_code=GIFT)["result"][0]["capacity"], 20)

	def test_a_sales_user_runs_it(self):
		frappe.set_user(f.make_user("cap-report-sales@example.com", ["Sales User"]))
		rows = self.report("Production Capacity", item_code=SOAP)["result"]
		self.assertEqual([(row["item_code"], row["capacity"]) for row in rows], [(SOAP, 40)])


class TestMaterialRunwayReport(ReportTestCase):
	def test_rows_and_chart(self):
		result = self.report("Material Runway")
		rows = {row["item_code"]: row for row in result["result"]}
		self.assertEqual(set(rows) & set(f.SOAP_MATERIALS), {LAV, COCONUT, WRAP, BOX})  # labour is not stock
		oil = rows[LAV]
		# 15 oil used in 30 days: 0.5 a day, 50 left: 100 days; at its reorder level of 50
		self.assertEqual(
			{key: oil[key] for key in ("available", "daily_depletion", "days_left", "lead_time", "runs_out")},
			{"available": 50, "daily_depletion": 0.5, "days_left": 100, "lead_time": 20, "runs_out": 0},
		)
		self.assertEqual((oil["reorder_level"], oil["at_reorder"]), (50, 1))
		self.assertEqual(oil["products"], 3)
		self.assertEqual(oil["lowest"], f"{SET} (can make 27)")
		self.assertEqual(rows[BOX]["days_left"], None)  # not used lately
		self.assertEqual((rows[COCONUT]["daily_depletion"], rows[COCONUT]["days_left"]), (1.333, 570))
		# shortest runway first
		ours = [row["item_code"] for row in result["result"] if row["item_code"] in f.SOAP_MATERIALS]
		self.assertEqual(ours, [LAV, COCONUT, WRAP, BOX])
		chart = result["chart"]
		labels = chart["data"]["labels"]
		days, lead = chart["data"]["datasets"]
		self.assertEqual(dict(zip(labels, days["values"], strict=True))[LAV], 100)
		self.assertEqual(dict(zip(labels, lead["values"], strict=True))[LAV], 20)

	def test_at_risk_only(self):
		rows = self.report("Material Runway", at_risk=1)["result"]
		self.assertEqual([row["item_code"] for row in rows if row["item_code"] in f.SOAP_MATERIALS], [LAV])


class TestSalesDepletionLedger(ReportTestCase):
	def test_each_material_a_sale_took_with_its_entry(self):
		result = self.report("Sales Depletion Ledger", sale=self.invoice.name, sale_doctype="Sales Invoice")
		entry = frappe.db.get_value(
			"Stock Entry", {"tc_source_doctype": "Sales Invoice", "tc_source_name": self.invoice.name}
		)
		rows = {row["item_code"]: row for row in result["result"]}
		self.assertEqual({code: row["qty"] for code, row in rows.items()}, {LAV: 6.12, COCONUT: 40, WRAP: 5})
		for row in rows.values():
			self.assertEqual(
				(row["sale_doctype"], row["sale"], row["stock_entry"], row["purpose"], row["customer"]),
				("Sales Invoice", self.invoice.name, entry, "Manufacture", f.customer()),
			)
		self.assertEqual(rows[COCONUT]["value"], 4.8)  # 40 at 0.12
		chart = result["chart"]
		self.assertEqual(chart["data"]["labels"], [LAV, COCONUT, WRAP])  # by value: 5.51, 4.8, 0.5
		self.assertEqual(chart["data"]["datasets"][0]["values"], [5.51, 4.8, 0.5])

	def test_a_cancelled_sale_leaves_no_rows(self):
		invoice = f.make_sales_invoice([(DREAM, 2, 8)])
		self.assertEqual(len(self.report("Sales Depletion Ledger", sale=invoice.name)["result"]), 3)
		invoice.reload()
		invoice.cancel()
		self.assertEqual(self.report("Sales Depletion Ledger", sale=invoice.name)["result"], [])


class TestScheduledAndWorkspace(ReportTestCase):
	def test_every_report_can_be_emailed_on_a_schedule(self):
		for name in REPORTS:
			auto = frappe.get_doc(
				{
					"doctype": "Auto Email Report",
					"report": name,
					"user": "Administrator",
					"email_to": "owner@example.com",
					"format": "HTML",
					"frequency": "Daily",
					"filters": json.dumps({"company": f.company()}),
				}
			).insert()
			content = auto.get_report_content()
			self.assertIn({"Production Capacity": SOAP, "Material Runway": LAV}.get(name, LAV), content, name)
			auto.delete()

	def test_the_workspace_links_reports_settings_and_boms(self):
		workspace = frappe.get_doc("Workspace", "TrueCraft")
		shortcuts = {row.link_to for row in workspace.shortcuts}
		self.assertTrue({*REPORTS, "TrueCraft Settings", "BOM", "bom-builder"} <= shortcuts, shortcuts)
		self.assertEqual(
			{row.number_card_name for row in workspace.number_cards},
			{"Products That Cannot Be Made", "Materials At Reorder Level"},
		)
		[chart] = workspace.charts
		self.assertEqual(
			frappe.db.get_value("Dashboard Chart", chart.chart_name, "report_name"), "Production Capacity"
		)

	def test_the_number_cards_count_what_they_say(self):
		from frappe.desk.doctype.number_card.number_card import get_result

		card = frappe.get_doc("Number Card", "Products That Cannot Be Made")
		others = frappe.db.count(
			capacity.DOCTYPE,
			{
				"item_code": ("not in", PRODUCTS),
				"capacity": 0,
				"unlimited": 0,
				"warehouse": ("is", "not set"),
			},
		)
		self.assertEqual(get_result(card.as_dict(), card.filters_json), others)
		f.issue(BOX, 20)
		f.hand_over_to_queue()
		refresh.drain()
		self.assertEqual(get_result(card.as_dict(), card.filters_json), others + 1)  # no boxes: no gift
		# the reorder card counts what the Material Runway report marks "At Reorder Level", as a number (a
		# report card summing that Check column showed a checkbox, not a count)
		reorder = frappe.get_doc("Number Card", "Materials At Reorder Level")
		self.assertEqual(
			(reorder.type, reorder.method), ("Custom", "truecraft_bom.api.materials_at_reorder_level")
		)
		rows = self.report("Material Runway", company=None)["result"]
		marked = [row["item_code"] for row in rows if row["at_reorder"]]
		self.assertIn(LAV, marked)
		figure = frappe.call(reorder.method, filters=reorder.filters_json)
		self.assertEqual((figure["value"], figure["fieldtype"]), (len(marked), "Int"))
		self.assertEqual(figure["route"], ["query-report", "Material Runway"])
