"""Production Capacity records: one per product, true after every stock movement once the queue drains.

The soap maker of ``factories.make_soap_catalog``. Tests run no RQ worker: ``commit()`` runs what a commit
runs for this app (the after-commit hand-over to the queue) and ``refresh.drain()`` runs the queued refresh
job in the test's transaction.
"""

from unittest.mock import patch

import frappe
from frappe.utils import add_to_date, flt, now_datetime

from truecraft_bom import api, capacity, engine, refresh
from truecraft_bom.catalog import load_catalog, structure
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

LAV, COCONUT, WRAP, BOX, LABOUR = f.SOAP_MATERIALS
SOAP, DREAM, SET, GIFT, SERVICE = PRODUCTS = f.SOAP_PRODUCTS


def commit():
	f.hand_over_to_queue()


def snapshot() -> dict[str, frappe._dict]:
	return f.capacity_records(PRODUCTS)


class CapacityTestCase(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		f.make_soap_catalog()
		capacity.refresh(capacity.products(), isolated=False)

	def setUp(self):
		super().setUp()
		refresh.clear()

	def capacities(self) -> dict[str, int | None]:
		return {code: (None if row.unlimited else int(row.capacity)) for code, row in snapshot().items()}

	def assert_records_equal_api(self):
		for code, row in snapshot().items():
			expected = api.capacity(code)
			self.assertEqual(None if row.unlimited else int(row.capacity), expected["capacity"], code)
			self.assertEqual(row.limiting.split("\n") if row.limiting else [], expected["limiting"], code)


class TestRecords(CapacityTestCase):
	def test_one_record_per_product_with_the_engine_figures(self):
		self.assertEqual(self.capacities(), {SOAP: 53, DREAM: 100, SET: 35, GIFT: 20, SERVICE: None})
		records = snapshot()
		self.assertEqual(records[SOAP].limiting, LAV)
		self.assertEqual(records[DREAM].limiting, COCONUT)
		self.assertEqual(records[SET].limiting, LAV)
		# 53 bars take 64.872 oil at 0.9, 424 coconut at 0.12 and 53 wraps at 0.1
		self.assertEqual(flt(records[SOAP].material_value, 2), flt(64.872 * 0.9 + 424 * 0.12 + 53 * 0.1, 2))
		self.assertEqual(records[SERVICE].material_value, 0)
		self.assert_records_equal_api()
		# materials are not products: no record
		self.assertFalse(frappe.db.exists(capacity.DOCTYPE, {"item_code": LAV}))
		row = frappe.get_doc(capacity.DOCTYPE, records[SOAP].name)
		self.assertEqual((row.company, row.warehouse), (f.company(), None))

	def test_the_where_used_index_is_the_engines(self):
		catalog = load_catalog(stock=False)
		used_by = structure().used_by
		for code in (LAV, COCONUT, WRAP, BOX, LABOUR, SOAP, DREAM):
			self.assertEqual(sorted(used_by.get(code, ())), list(engine.where_used(catalog, code)), code)

	def test_a_fresh_process_takes_the_structure_and_its_index_from_redis(self):
		from truecraft_bom import catalog

		catalog.invalidate()
		base = structure()
		used_by = base.used_by
		# this transaction changed BOMs and has not committed: it shares nothing (a copy shared before, at an
		# earlier change number, may be there)
		shared = catalog._shared(base.version)
		self.assertTrue(shared is None or shared.version != base.version)
		with patch.object(frappe.local, "truecraft_structure_changed", False):
			catalog._share(base)
		shared = catalog._shared(base.version)
		self.assertIn("_uses", shared.__dict__)  # the index comes along, not the engine's memo
		self.assertEqual((shared.used_by, shared.products), (used_by, base.products))
		self.assertEqual(
			engine.capacities(load_catalog([SOAP]).with_stock({}), [SOAP])[0][SOAP].capacity,
			engine.capacities(
				shared.catalog.with_stock(
					{code: (item.stock, item.reserved) for code, item in load_catalog([SOAP]).items.items()}
				),
				[SOAP],
			)[0][SOAP].capacity,
		)
		catalog.invalidate()
		# after a change the shared copy is not taken as it is: it is brought up to date, here (a change of
		# everything) by reading it in full
		version = catalog._version()
		shared = catalog._shared(version)
		self.assertTrue(shared is None or catalog._brought_up_to_date(shared, version) is None)

	def test_a_receipt_raises_exactly_the_affected_products_after_commit(self):
		before = snapshot()
		f.receive(LAV, 30, rate=0.9)
		# not before commit: nothing queued, nothing written
		self.assertEqual(refresh.pending()[refresh.MOVED], set())
		self.assertEqual(snapshot(), before)
		commit()
		self.assertEqual(refresh.pending()[refresh.MOVED], {LAV})
		self.assertEqual(snapshot(), before)  # queued, not yet run
		refresh.drain()
		# 95 oil: 77 bars; the set is now stopped by coconut (800 / 16)
		self.assertEqual(self.capacities(), {SOAP: 77, DREAM: 100, SET: 50, GIFT: 20, SERVICE: None})
		after = snapshot()
		self.assertEqual(after[SET].limiting, COCONUT)
		# dream soap uses the oil but its figures did not change: not rewritten; the others are untouched
		for code in (DREAM, GIFT, SERVICE):
			self.assertEqual(after[code], before[code], code)
		for code in (SOAP, SET):
			self.assertGreater(after[code].modified, before[code].modified, code)
		self.assertEqual(refresh.pending()[refresh.MOVED], set())
		self.assert_records_equal_api()

	def test_a_purchase_receipt_and_its_cancellation(self):
		receipt = f.make_purchase_receipt(LAV, 30, 0.9)
		commit()
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 77)
		receipt.reload()
		receipt.cancel()
		commit()
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 53)
		self.assert_records_equal_api()

	def test_a_variant_follows_a_change_of_its_attributes(self):
		f.make_attribute("TC Scent", ["Lavender", "Rose"])
		oil = f.make_template("CAP-SCENT-OIL", ["TC Scent"], stock_uom="Kg")
		lavender_oil = f.make_variant(oil, {"TC Scent": "Lavender"})
		rose_oil = f.make_variant(oil, {"TC Scent": "Rose"})
		bar = f.make_template("CAP-SCENT-BAR", ["TC Scent"])
		f.make_bom(bar, [{"item_code": oil, "qty": 1, "tc_inherited": 1}])
		lavender_bar = f.make_variant(bar, {"TC Scent": "Lavender"})  # no BOM of its own: inherits the line
		f.receive(lavender_oil, 10)
		f.receive(rose_oil, 4)
		commit()
		refresh.drain()
		self.assertEqual(f.capacity_records([lavender_bar])[lavender_bar].capacity, 10)
		variant = frappe.get_doc("Item", lavender_bar)
		variant.attributes[0].attribute_value = "Rose"
		variant.save()
		commit()
		self.assertIn(lavender_bar, refresh.pending()[refresh.CHANGED])
		refresh.drain()
		self.assertEqual(f.capacity_records([lavender_bar])[lavender_bar].capacity, 4)  # now takes rose oil
		self.assertFalse(frappe.db.exists(capacity.DOCTYPE, {"item_code": bar}))  # templates have none

	def test_a_record_is_written_through_the_document_path(self):
		name = snapshot()[SOAP].name
		versions = frappe.db.count("Version", {"ref_doctype": capacity.DOCTYPE, "docname": name})
		f.issue(LAV, 5)
		commit()
		refresh.drain()
		self.assertEqual(
			frappe.db.count("Version", {"ref_doctype": capacity.DOCTYPE, "docname": name}), versions + 1
		)
		version = frappe.get_last_doc("Version", {"ref_doctype": capacity.DOCTYPE, "docname": name})
		changed = {
			field: (flt(old), flt(new)) for field, old, new in frappe.parse_json(version.data)["changed"]
		}
		self.assertEqual(changed["capacity"], (53, 49))

	def test_a_sale_lowers_capacity_and_its_cancellation_restores_it(self):
		invoice = f.make_sales_invoice([(SOAP, 5, 8)])
		commit()
		refresh.drain()
		# 58.88 oil left: 48 bars, 32 sets; coconut 760: 95 dream soaps
		self.assertEqual(self.capacities(), {SOAP: 48, DREAM: 95, SET: 32, GIFT: 20, SERVICE: None})
		self.assert_records_equal_api()
		invoice.reload()
		invoice.cancel()
		commit()
		refresh.drain()
		self.assertEqual(self.capacities(), {SOAP: 53, DREAM: 100, SET: 35, GIFT: 20, SERVICE: None})
		self.assert_records_equal_api()

	def test_a_new_default_bom_refreshes_the_product_and_the_products_that_use_it(self):
		before = snapshot()
		f.make_bom(
			DREAM, [{"item_code": LAV, "qty": 0.6}, {"item_code": COCONUT, "qty": 4}, {"item_code": WRAP}]
		)
		commit()
		self.assertIn(DREAM, refresh.pending()[refresh.CHANGED])
		refresh.drain()
		after = snapshot()
		# half the coconut: 200 by coconut, 108 by oil
		self.assertEqual((after[DREAM].capacity, after[DREAM].limiting), (108, LAV))
		# the set still stops at 35 on oil, but its 35 now take 35 x 4 less coconut
		self.assertEqual(after[SET].capacity, 35)
		self.assertEqual(
			flt(before[SET].material_value - after[SET].material_value, 2), flt(35 * 4 * 0.12, 2)
		)
		self.assertEqual(after[GIFT], before[GIFT])
		self.assert_records_equal_api()

	def test_a_cancelled_bom_takes_its_record_away(self):
		name = snapshot()[GIFT].name
		frappe.get_doc("BOM", {"item": GIFT, "is_default": 1}).cancel()
		commit()
		refresh.drain()
		self.assertNotIn(GIFT, snapshot())
		# a channel polling for changes can find out that it went
		self.assertTrue(
			frappe.db.exists("Deleted Document", {"deleted_doctype": capacity.DOCTYPE, "deleted_name": name})
		)
		self.assertIn(SOAP, snapshot())

	def test_a_substitute_added_refreshes_the_products_that_use_the_item(self):
		other = f.make_item("CAP-LAV-OIL-2", stock_uom="Kg", rate=1)
		f.receive(other, 12.24)
		commit()
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 53)  # nobody uses it yet
		f.make_alternative(LAV, other)
		commit()
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 63)  # (65 + 12.24) / 1.224
		self.assert_records_equal_api()

	def test_the_materials_source_warehouse_has_its_own_records(self):
		source = f.warehouse("TrueCraft Workshop")
		f.receive(LAV, 12.24, to_warehouse=source)
		f.receive(COCONUT, 800, to_warehouse=source)
		f.receive(WRAP, 100, to_warehouse=source)
		f.set_settings(source_warehouse=source)
		self.assertIn(refresh.rebuild, frappe.db.after_commit._functions)  # once the settings commit
		refresh.rebuild()  # tests: runs at once
		rows = {
			row.item_code: row
			for row in frappe.get_all(
				capacity.DOCTYPE,
				filters={"item_code": ("in", PRODUCTS), "warehouse": source},
				fields=["item_code", "capacity", "unlimited"],
			)
		}
		self.assertEqual(set(rows), set(PRODUCTS))
		for code, row in rows.items():
			expected = api.capacity(code, warehouse=source)["capacity"]
			self.assertEqual(None if row.unlimited else int(row.capacity), expected, code)
		self.assertEqual(int(rows[SOAP].capacity), 10)
		# company-wide records count both warehouses
		self.assertEqual(self.capacities()[SOAP], 63)
		f.set_settings(source_warehouse=None)
		refresh.rebuild()
		self.assertFalse(frappe.db.exists(capacity.DOCTYPE, {"warehouse": source}))

	def test_a_work_order_reserves_its_materials(self):
		order = frappe.get_doc(
			{
				"doctype": "Work Order",
				"production_item": SOAP,
				"bom_no": frappe.db.get_value("BOM", {"item": SOAP, "is_default": 1}),
				"qty": 10,
				"company": f.company(),
				"source_warehouse": f.warehouse(),
				"wip_warehouse": f.warehouse(),
				"fg_warehouse": f.warehouse(),
				"planned_start_date": now_datetime(),
			}
		)
		order.insert()
		order.submit()
		commit()
		self.assertIn(LAV, refresh.pending()[refresh.MOVED])
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 43)  # (65 - 12.24 reserved) / 1.224
		self.assert_records_equal_api()


class TestQueue(CapacityTestCase):
	def test_one_job_is_queued_for_many_commits_and_a_running_job_does_not_swallow_new_ones(self):
		queued = []
		frappe.flags.in_test = False  # the queue hands over to RQ as it does on a site
		self.addCleanup(setattr, frappe.flags, "in_test", True)
		with patch("frappe.enqueue", side_effect=lambda *args, **kwargs: queued.append(kwargs)):
			f.issue(LAV, 1)
			commit()
			f.issue(COCONUT, 1)
			commit()
			self.assertEqual(len(queued), 1)
			self.assertEqual(queued[0]["queue"], "short")
			self.assertTrue(queued[0]["job_id"].startswith("truecraft_bom:capacity:refresh:"))
			self.assertEqual(refresh.pending()[refresh.MOVED], {LAV, COCONUT})
			refresh.run_pending(isolated=False)  # the job starts: the next commit queues another
			f.issue(WRAP, 1)
			commit()
			self.assertEqual(len(queued), 2)
		self.assertEqual(self.capacities()[SOAP], 52)

	def test_a_failing_handover_never_fails_the_document(self):
		entry = f.issue(LAV, 1)
		with (
			patch.object(frappe.cache, "sadd", side_effect=ConnectionError("redis is down")),
			patch("frappe.log_error") as log_error,
		):
			commit()  # raises nothing
		self.assertEqual(frappe.db.get_value("Stock Entry", entry.name, "docstatus"), 1)
		self.assertEqual(
			log_error.call_args.kwargs["title"], "Production Capacity: could not queue a refresh"
		)

	def test_a_failing_job_puts_its_items_back(self):
		f.issue(LAV, 1)
		commit()
		with patch.object(capacity, "refresh", side_effect=RuntimeError("boom")):
			with self.assertRaises(RuntimeError):
				refresh.drain()
		self.assertEqual(refresh.pending()[refresh.MOVED], {LAV})
		refresh.drain()
		self.assertEqual(self.capacities()[SOAP], 52)

	def test_redis_emptied_before_the_job_ran_rebuilds_every_record(self):
		# Redis keeps what is pending (and the structure cache): emptied or restarted between a stock movement
		# and its refresh job, the pending items are lost; the first process that then finds no structure
		# counter rebuilds every record from the database (tests: at once; a site: one queued job)
		f.issue(LAV, 1)
		commit()
		self.assertEqual(refresh.pending()[refresh.MOVED], {LAV})
		# every key the app keeps (all named truecraft_bom:...): emptying Frappe's own keys too, inside a test
		# transaction that is then rolled back, would leave Frappe's caches holding rows that never existed
		frappe.cache.delete_keys("truecraft_bom:")
		self.assertEqual(refresh.pending()[refresh.MOVED], set())
		self.assertEqual(self.capacities()[SOAP], 53)  # behind: 52 can be made now
		with patch.object(refresh, "rebuild", wraps=refresh.rebuild) as rebuild:
			refresh.drain()  # the next job (or sale, or anything) that reads the structure
		rebuild.assert_called_once()
		self.assertEqual(self.capacities()[SOAP], 52)
		self.assert_records_equal_api()

	def test_the_hourly_backstop_rebuilds_a_record_left_behind(self):
		f.issue(LAV, 1)
		commit()
		refresh.clear()  # the refresh is lost, as a failed hand-over would lose it
		self.assertEqual(self.capacities()[SOAP], 53)
		refresh.hourly()  # tests: the rebuild runs at once
		self.assertEqual(self.capacities()[SOAP], 52)
		self.assert_records_equal_api()


class TestChannelSync(CapacityTestCase):
	def test_capacities_returns_records_changed_since_a_time(self):
		everything = api.capacities(item_codes=list(PRODUCTS))
		self.assertEqual(
			{row["item_code"]: row["capacity"] for row in everything["records"]},
			{SOAP: 53, DREAM: 100, SET: 35, GIFT: 20, SERVICE: None},
		)
		soap = next(row for row in everything["records"] if row["item_code"] == SOAP)
		self.assertEqual(soap["limiting"], [LAV])
		self.assertIsNone(soap["warehouse"])
		since = add_to_date(now_datetime(), seconds=1)
		# as if refreshed later: only it has changed since
		frappe.db.set_value(
			capacity.DOCTYPE, soap["name"], "modified", add_to_date(since, seconds=5), update_modified=False
		)
		changed = api.capacities(modified_since=str(since), item_codes=f"{SOAP},{GIFT}")
		self.assertEqual([row["item_code"] for row in changed["records"]], [SOAP])
		self.assertLess(frappe.utils.get_datetime(changed["as_of"]), now_datetime())
		self.assertEqual(
			[row["item_code"] for row in api.capacities(item_codes=f'["{GIFT}"]')["records"]], [GIFT]
		)

	def test_bad_arguments_get_a_clear_error(self):
		with self.assertRaisesRegex(frappe.ValidationError, "not a date and time"):
			api.capacities(modified_since="yesterday-ish")
		with self.assertRaisesRegex(frappe.ValidationError, "list of item codes"):
			api.capacities(item_codes='["unclosed')


class TestPermissions(CapacityTestCase):
	def test_a_sales_user_reads_records_but_not_boms(self):
		user = f.make_user("cap-sales@example.com", ["Sales User"])
		frappe.set_user(user)
		self.assertTrue(frappe.has_permission(capacity.DOCTYPE, "read"))
		self.assertFalse(frappe.has_permission(capacity.DOCTYPE, "write"))
		self.assertFalse(frappe.has_permission("BOM", "read"))
		rows = frappe.get_list(
			capacity.DOCTYPE, filters={"item_code": SOAP, "warehouse": ("is", "not set")}, pluck="capacity"
		)
		self.assertEqual(rows, [53])
		self.assertEqual(
			{row["item_code"]: row["capacity"] for row in api.capacities(item_codes=[SOAP])["records"]},
			{SOAP: 53},
		)
		with self.assertRaises(frappe.PermissionError):
			api.capacity(SOAP)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("BOM", filters={"item": SOAP})

	def test_a_user_without_read_gets_no_records(self):
		frappe.set_user(f.make_user("cap-nobody@example.com", ["Purchase User"]))
		with self.assertRaises(frappe.PermissionError):
			api.capacities()

	def test_only_stock_and_system_managers_rebuild(self):
		stock_user = f.make_user("cap-stock-user@example.com", ["Stock User"])
		manager = f.make_user("cap-stock-manager@example.com", ["Stock Manager"])
		frappe.set_user(stock_user)
		with self.assertRaisesRegex(frappe.PermissionError, "Only a Stock Manager or System Manager"):
			api.rebuild_capacity()
		frappe.set_user(manager)
		name = snapshot()[SOAP].name
		frappe.db.set_value(capacity.DOCTYPE, name, "capacity", 7)  # out of date
		self.assertEqual(api.rebuild_capacity(), {"queued": True})
		self.assertEqual(self.capacities()[SOAP], 53)
