"""Reorder and runway alerts to Stock Managers (once per material per day), and the capacity target digest."""

import frappe

from truecraft_bom import alerts, capacity, refresh
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

LAV, COCONUT, WRAP, BOX, LABOUR = f.SOAP_MATERIALS
SOAP, DREAM, SET, GIFT, SERVICE = f.SOAP_PRODUCTS
MANAGER = "cap-alerts-manager@example.com"


class TestAlerts(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		f.make_soap_catalog()
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
		frappe.db.set_value("Item", COCONUT, "lead_time_days", 20)
		f.make_user(MANAGER, ["Stock Manager"])
		f.make_user("cap-alerts-clerk@example.com", ["Stock User"])
		capacity.refresh(capacity.products(), isolated=False)

	def setUp(self):
		super().setUp()
		refresh.clear()
		frappe.cache.delete_keys(alerts.CLAIMS)

	def alerts_for(self, user: str, material: str) -> list[frappe._dict]:
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": user, "document_type": "Item", "document_name": material},
			fields=["subject", "link", "type"],
		)

	def move(self, item: str, qty: float):
		"""Issue (negative) or receive stock, and let the refresh job run."""
		(f.issue(item, -qty) if qty < 0 else f.receive(item, qty))
		f.hand_over_to_queue()
		refresh.drain()

	def test_a_material_reaching_its_reorder_level_alerts_stock_managers_once_a_day(self):
		self.move(LAV, -10)  # 55 left: above 50
		self.assertEqual(self.alerts_for(MANAGER, LAV), [])
		self.move(LAV, -10)  # 45 left
		[alert] = self.alerts_for(MANAGER, LAV)
		self.assertEqual(alert.type, "Alert")
		self.assertIn(f"<strong>{LAV}</strong> is running low", alert.subject)
		self.assertIn(f"at or under its reorder level in {f.warehouse()}", alert.subject)
		# the products it limits, lowest capacity first: 45 / 1.824, 45 / 1.224, 45 / 0.6
		self.assertIn(
			f"It limits {SET} (can make 24), {SOAP} (can make 36), {DREAM} (can make 75)", alert.subject
		)
		self.assertEqual(alert.link, "/app/query-report/Material%20Runway?item_code=CAP-LAV-OIL")
		self.assertEqual(self.alerts_for("cap-alerts-clerk@example.com", LAV), [])  # Stock Managers only
		self.move(LAV, -5)
		self.move(LAV, 1)
		self.assertEqual(len(self.alerts_for(MANAGER, LAV)), 1)
		self.assertEqual(alerts.check([LAV]), [])  # the daily check, the same day

	def test_a_runway_shorter_than_the_lead_time_alerts(self):
		self.move(COCONUT, -400)  # 400 left, 400 used in 30 days: 30 days left, lead time 20
		self.assertEqual(self.alerts_for(MANAGER, COCONUT), [])
		self.move(COCONUT, -100)  # 300 left at 500 / 30 a day: 18 days
		[alert] = self.alerts_for(MANAGER, COCONUT)
		self.assertIn(
			"18.0 days of stock left at the rate of the last 30 days, lead time 20 days", alert.subject
		)
		self.assertNotIn("reorder level", alert.subject)

	def test_a_transfer_is_not_depletion(self):
		from erpnext.stock.doctype.stock_entry.stock_entry_utils import make_stock_entry

		# 1,400 out of a warehouse and 1,400 in: counted as depletion it would leave 17 days of 800
		workshop = f.warehouse("TrueCraft Workshop")
		for source, target in ((f.warehouse(), workshop), (workshop, f.warehouse())):
			make_stock_entry(
				item_code=COCONUT, qty=700, from_warehouse=source, to_warehouse=target, company=f.company()
			)
		f.hand_over_to_queue()
		refresh.drain()
		self.assertEqual(self.alerts_for(MANAGER, COCONUT), [])

	def test_a_variant_takes_its_templates_reorder_level(self):
		f.make_attribute("TC Glaze Colour", ["Blue", "Green"])
		template = f.make_template("CAP-GLAZE", ["TC Glaze Colour"], stock_uom="Kg")
		doc = frappe.get_doc("Item", template)
		doc.append(
			"reorder_levels",
			{
				"warehouse": f.warehouse(),
				"warehouse_reorder_level": 10,
				"warehouse_reorder_qty": 10,
				"material_request_type": "Purchase",
			},
		)
		doc.save()
		blue = f.make_variant(template, {"TC Glaze Colour": "Blue"})
		f.make_item("CAP-MUG")
		f.make_bom("CAP-MUG", [{"item_code": blue, "qty": 0.5}])
		f.receive(blue, 12)
		f.hand_over_to_queue()
		refresh.drain()
		self.assertEqual(self.alerts_for(MANAGER, blue), [])
		self.move(blue, -3)
		[alert] = self.alerts_for(MANAGER, blue)
		self.assertIn("CAP-MUG (can make 18)", alert.subject)

	def test_an_alert_is_emailed_when_the_site_sends_email(self):
		frappe.get_doc(  # tests connect to no mail server
			{
				"doctype": "Email Account",
				"email_account_name": "TrueCraft Outgoing",
				"email_id": "capacity@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "localhost",
				"no_smtp_authentication": 1,
			}
		).insert()
		self.addCleanup(setattr, frappe.local, "outgoing_email_account", {})
		self.move(LAV, -20)
		queued = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Item", "reference_name": LAV},
			fields=["name", "message"],
		)
		self.assertEqual(len(queued), 1)
		recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": queued[0].name}, pluck="recipient"
		)
		self.assertIn(MANAGER, recipients)

	def test_no_email_when_the_site_sends_none(self):
		self.assertFalse(alerts._sends_email())  # no outgoing email account on the test site
		self.move(LAV, -20)
		self.assertEqual(len(self.alerts_for(MANAGER, LAV)), 1)
		self.assertFalse(
			frappe.db.exists("Email Queue", {"reference_doctype": "Item", "reference_name": LAV})
		)

	def test_the_daily_digest_lists_products_below_their_target(self):
		frappe.db.set_value("Item", SOAP, "tc_capacity_target", 60)  # can make 53
		frappe.db.set_value("Item", GIFT, "tc_capacity_target", 10)  # can make 20
		frappe.db.set_value("Item", SERVICE, "tc_capacity_target", 5)  # unlimited
		self.assertEqual(alerts.digest(), [SOAP])
		[digest] = frappe.get_all(
			"Notification Log",
			filters={"for_user": MANAGER, "link": "/app/query-report/Production%20Capacity?below_target=1"},
			fields=["subject", "email_content"],
		)
		self.assertEqual(digest.subject, "Products below their capacity target: 1")
		self.assertIn(f"<td>{SOAP}</td>", digest.email_content)
		self.assertIn("<td>53</td><td>60</td>", digest.email_content)
		self.assertNotIn(GIFT, digest.email_content)
		self.assertEqual(alerts.digest(), [])  # once a day
