"""The structure cache across processes: each change is logged, every process reads again only what changed,
and reloads in full when the log cannot tell it (another epoch, Redis emptied)."""

from unittest.mock import patch

import frappe

from truecraft_bom import api, catalog, engine
from truecraft_bom.tests import factories as f


def other_process():
	"""Run the next ``structure()`` as another process would: with this process's copy as it is now, but
	without anything this process caches in memory afterwards (its copy is put back after the block)."""
	site = frappe.local.site
	return patch.dict(catalog._structures, {site: catalog._structures[site]})


def no_full_load():
	"""Fail if the structure is read in full from the database."""
	return patch.object(catalog, "_load_structure", side_effect=AssertionError("read in full"))


def same_as_full(test, structure):
	"""``structure`` has the BOMs and items a full read gives (it may keep items no BOM names any more)."""
	full = catalog._load_structure(structure.version)
	test.assertEqual(structure.catalog.boms, full.catalog.boms)
	for code, item in full.catalog.items.items():
		test.assertEqual(structure.catalog.items.get(code), item, code)
	test.assertEqual(structure.companies, full.companies)


class TestStructureCache(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for code in ("SC-OIL", "SC-WAX", "SC-WICK", "SC-JAR", "SC-ALT"):
			f.make_item(code)
		f.make_item("SC-CORE")
		f.make_item("SC-CANDLE")
		f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 2}, {"item_code": "SC-WICK", "qty": 1}])
		f.make_bom("SC-CANDLE", [{"item_code": "SC-CORE", "qty": 1}, {"item_code": "SC-JAR", "qty": 1}])

	def setUp(self):
		super().setUp()
		self.first = catalog.structure()

	def test_a_bom_change_in_one_process_is_read_by_another_without_a_full_load(self):
		with other_process():
			f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 3}, {"item_code": "SC-OIL", "qty": 1}])
			with no_full_load():
				seen = catalog.structure()
			self.assertIsNot(seen, self.first)
			lines = {line.item: line.qty for line in seen.catalog.boms["SC-CORE"].lines}
			self.assertEqual(lines, {"SC-WAX": 3, "SC-OIL": 1})
			# and what uses it explodes with the new lines
			result = api.explode("SC-CANDLE", qty=2)
			self.assertEqual(
				{r["item_code"]: float(r["qty"]) for r in result["requirements"]},
				{"SC-WAX": 6, "SC-OIL": 2, "SC-JAR": 2},
			)
			same_as_full(self, seen)

	def test_a_change_keeps_the_engines_work_on_what_it_cannot_reach(self):
		compiled = engine.plans(self.first.catalog)
		candle, core = compiled.node("SC-CANDLE"), compiled.node("SC-CORE")
		with other_process():
			f.make_item("SC-LAMP")
			f.make_bom("SC-LAMP", [{"item_code": "SC-OIL", "qty": 1}])
			with no_full_load():
				seen = catalog.structure()
			# a new product that shares nothing with the candle: the candle is not compiled again
			self.assertIs(engine.plans(seen.catalog).node("SC-CANDLE"), candle)
			self.assertIs(engine.plans(seen.catalog).node("SC-CORE"), core)
			f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 4}, {"item_code": "SC-WICK", "qty": 1}])
			with no_full_load():
				again = catalog.structure()
			# the core changed: it and the candle built from it are compiled again, with the new lines
			self.assertIsNot(engine.plans(again.catalog).node("SC-CORE"), core)
			self.assertIsNot(engine.plans(again.catalog).node("SC-CANDLE"), candle)
			result = api.explode("SC-CANDLE", qty=2)
			self.assertEqual(
				{r["item_code"]: float(r["qty"]) for r in result["requirements"]},
				{"SC-WAX": 8, "SC-WICK": 2, "SC-JAR": 2},
			)
			same_as_full(self, again)

	def test_an_alternative_reaches_the_lines_that_name_its_item(self):
		with other_process():
			f.make_alternative("SC-WICK", "SC-ALT")
			with no_full_load():
				seen = catalog.structure()
			wick = next(line for line in seen.catalog.boms["SC-CORE"].lines if line.item == "SC-WICK")
			self.assertEqual(wick.substitutes, ("SC-ALT",))
			same_as_full(self, seen)

	def test_an_item_flag_change_is_read_again(self):
		with other_process():
			item = frappe.get_doc("Item", "SC-JAR")
			item.is_stock_item = 0
			item.save()
			with no_full_load():
				seen = catalog.structure()
			self.assertFalse(seen.catalog.items["SC-JAR"].is_stock)
			same_as_full(self, seen)

	def test_an_item_save_that_changes_nothing_the_engine_reads_reads_nothing(self):
		version = catalog._version()
		item = frappe.get_doc("Item", "SC-JAR")
		item.description = "A jar with a new description"
		with patch("truecraft_bom.refresh.structure_changed") as refresh:
			item.save()
		self.assertEqual(catalog._version(), version, "nothing logged")
		refresh.assert_not_called()
		self.assertIs(catalog.structure(), self.first)

	def test_the_where_used_index_follows_a_change(self):
		used_by = self.first.used_by
		self.assertIn("SC-CANDLE", used_by["SC-WICK"])
		f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 3}, {"item_code": "SC-OIL", "qty": 1}])
		with no_full_load():
			seen = catalog.structure()
		self.assertNotIn("SC-WICK", seen.used_by)
		self.assertEqual(seen.used_by["SC-OIL"], frozenset({"SC-CORE", "SC-CANDLE"}))
		# the same as an index computed from scratch
		fresh = catalog.Structure(seen.catalog, seen.substitutes, seen.companies, seen.version)
		self.assertEqual(seen.used_by, fresh.used_by)

	def test_redis_emptied_still_reads_the_truth(self):
		f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 5}])
		# another process's copy, from before Redis lost our keys (only this site's keys are deleted)
		stale = catalog.structure()
		for name in (catalog.EPOCH_KEY, catalog.VERSION_KEY, catalog.LOG_KEY):
			frappe.cache.delete(frappe.cache.make_key(name))
		frappe.cache.delete(frappe.cache.make_key(catalog.SHARED_KEY))
		frappe.cache.delete(frappe.cache.make_key(f"{catalog.SHARED_KEY}:version"))
		f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 7}])
		with patch.dict(catalog._structures, {frappe.local.site: stale}):
			seen = catalog.structure()
			self.assertNotEqual(seen.version[0], stale.version[0], "a new epoch")
			self.assertEqual([line.qty for line in seen.catalog.boms["SC-CORE"].lines], [7])
			same_as_full(self, seen)

	def test_a_log_that_lost_the_changes_since_a_copy_gives_a_full_load(self):
		stale = catalog.structure()
		f.make_bom("SC-CORE", [{"item_code": "SC-WAX", "qty": 4}])
		frappe.cache.delete(frappe.cache.make_key(catalog.LOG_KEY))
		with patch.dict(catalog._structures, {frappe.local.site: stale}):
			with patch.object(catalog, "_load_structure", wraps=catalog._load_structure) as load:
				seen = catalog.structure()
			load.assert_called_once()
		self.assertEqual([line.qty for line in seen.catalog.boms["SC-CORE"].lines], [4])

	def test_a_fresh_process_far_behind_the_shared_copy_shares_what_it_brought_up_to_date(self):
		with patch.object(frappe.local, "truecraft_structure_changed", False):
			catalog._share(self.first)
			for _ in range(catalog.RESHARE_AFTER):
				catalog._record(["bom", "SC-CORE"])
			with patch.dict(catalog._structures, {}, clear=True), no_full_load():
				seen = catalog.structure()  # a fresh process: the shared copy, brought up to date
		self.assertEqual(seen.version, catalog._version())
		self.assertEqual(catalog._shared(catalog._version()).version, seen.version)
