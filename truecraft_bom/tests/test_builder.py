"""The visual BOM builder's server side (truecraft_bom.builder): load, preview, save, new version.

A soap with a sub-assembly (the soap base), a consumable wrap and labour: the preview gives the engine's
tree, cost and capacity for lines that are not saved; saving goes through the BOM document and its validation.
"""

import json

import frappe
from frappe.utils import flt

from truecraft_bom import api, builder
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

SOAP, BASE, OIL, LYE, WRAP, LABOUR, BOX = (
	"BLD-SOAP",
	"BLD-BASE",
	"BLD-OIL",
	"BLD-LYE",
	"BLD-WRAP",
	"BLD-LABOUR",
	"BLD-BOX",
)
RATES = {OIL: 2, LYE: 0.5, WRAP: 0.1, LABOUR: 3, BOX: 1.5}


class BuilderTestCase(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.wh = f.warehouse()
		f.make_item(OIL, stock_uom="Kg", rate=RATES[OIL])
		f.make_item(LYE, stock_uom="Kg", rate=RATES[LYE])
		f.make_item(WRAP, rate=RATES[WRAP])
		f.make_item(BOX, rate=RATES[BOX])
		f.make_item(LABOUR, stock_uom="Hour", is_stock=False, rate=RATES[LABOUR])
		f.make_item(BASE, stock_uom="Kg")
		f.make_item(SOAP, tc_deplete_on_sale=1)
		# one batch of 2 kg of base: 1.5 kg oil (2 % lost in the pot), 0.5 kg lye
		f.make_bom(
			BASE,
			[{"item_code": OIL, "qty": 1.5, "tc_attrition": 2}, {"item_code": LYE, "qty": 0.5}],
			quantity=2,
		)
		cls.bom = f.make_bom(
			SOAP,
			[
				{"item_code": BASE, "qty": 0.4},
				{"item_code": WRAP, "qty": 1, "tc_consumable": 1},
				{"item_code": LABOUR, "qty": 0.1},
				{"item_code": BOX, "qty": 1, "tc_optional": 1},
			],
		).name
		f.receive(OIL, 10, rate=RATES[OIL])
		f.receive(LYE, 3, rate=RATES[LYE])
		f.receive(WRAP, 100, rate=RATES[WRAP])

	def lines(self, bom=None):
		"""The BOM's lines as the page sends them."""
		return builder.load(bom or self.bom)["lines"]

	def draft(self):
		return builder.new_version(self.bom)["bom"]


class TestLoad(BuilderTestCase):
	def test_load_gives_header_lines_and_the_engine_figures(self):
		data = builder.load(self.bom)
		self.assertEqual(data["item_code"], SOAP)
		self.assertEqual(data["docstatus"], 1)
		self.assertEqual([line["item_code"] for line in data["lines"]], [BASE, WRAP, LABOUR, BOX])
		self.assertEqual(data["lines"][1]["tc_consumable"], 1)
		self.assertEqual(data["lines"][3]["tc_optional"], 1)
		preview = data["preview"]
		self.assertIsNone(preview["error"])
		self.assertEqual(preview["cost"], api.cost(SOAP))
		self.assertEqual(preview["capacity"], api.capacity(SOAP))

	def test_load_by_item_opens_its_default_bom(self):
		self.assertEqual(builder.load(item_code=SOAP)["bom"], self.bom)

	def test_an_item_without_a_bom_is_previewed_with_a_message(self):
		data = builder.load(item_code=OIL)
		self.assertIsNone(data["bom"])
		self.assertIn(OIL, data["preview"]["error"])


class TestPreview(BuilderTestCase):
	def test_tree_has_per_line_quantities_and_costs(self):
		preview = builder.preview(SOAP, 1, json.dumps(self.lines()), qty=10)
		tree = preview["tree"]
		base, wrap, labour, box = tree["children"]
		self.assertEqual([node["line"] for node in tree["children"]], [0, 1, 2, 3])
		# 10 soaps need 4 kg of base: two batches of 1.5 kg oil + 2 % and 0.5 kg lye
		self.assertEqual(flt(base["qty"]), 4)
		oil, lye = base["children"]
		self.assertEqual(flt(oil["qty"]), 3.06)
		self.assertEqual(flt(oil["cost"]), 6.12)
		self.assertEqual(flt(lye["cost"]), 0.5)
		self.assertEqual(flt(base["cost"]), 6.62)  # a sub-assembly costs what its lines cost
		self.assertTrue(wrap["consumable"])
		self.assertEqual(flt(wrap["cost"]), 1)
		self.assertTrue(labour["non_stock"])
		self.assertEqual(flt(labour["cost"]), 3)
		self.assertTrue(box["optional"] and box["excluded"])  # shown, not counted
		self.assertEqual(flt(tree["cost"]), 10.62)
		self.assertEqual({row["level"]: flt(row["cost"]) for row in preview["levels"]}, {1: 4, 2: 6.62})
		self.assertEqual(preview["cost"], api.cost(SOAP, 10))
		self.assertEqual(flt(preview["cost"]["total"]), 10.62)

	def test_edits_change_the_figures_without_saving(self):
		lines = self.lines()
		lines[0]["qty"] = 0.8  # twice the base
		preview = builder.preview(SOAP, 1, json.dumps(lines))
		before = api.capacity(SOAP)["capacity"]
		self.assertLess(preview["capacity"]["capacity"], before)
		self.assertGreater(preview["cost"]["per_unit"], api.cost(SOAP)["per_unit"])
		self.assertEqual(builder.load(self.bom)["lines"][0]["qty"], 0.4)  # nothing written

	def test_capacity_names_the_limiting_material(self):
		preview = builder.preview(SOAP, 1, json.dumps(self.lines()))
		# 3 kg lye make 12 kg of base (30 soaps); 10 kg oil make 13.07 kg (32 soaps)
		self.assertEqual(preview["capacity"], {"item_code": SOAP, "capacity": 30, "limiting": [LYE]})

	def test_a_new_line_and_a_reordered_list(self):
		lines = self.lines()
		lines.reverse()
		lines.append({"item_code": OIL, "qty": 0.01, "tc_setup_qty": 0.1})
		lines.insert(1, {"item_code": "", "qty": 1})  # a line still being typed is left out
		preview = builder.preview(SOAP, 1, json.dumps(lines))
		self.assertIsNone(preview["error"])
		nodes = preview["tree"]["children"]
		self.assertEqual([node["item_code"] for node in nodes], [BOX, LABOUR, WRAP, BASE, OIL])
		self.assertEqual([node["line"] for node in nodes], [0, 2, 3, 4, 5])
		self.assertEqual(flt(nodes[-1]["qty"]), 0.11)

	def test_bad_lines_come_back_as_a_message(self):
		lines = self.lines()
		lines[0]["tc_attrition"] = 150
		preview = builder.preview(SOAP, 1, json.dumps(lines))
		self.assertIn("Attrition % must be at least 0% and below 100%, not 150%", preview["problems"])
		self.assertNotIn("cost", preview)

	def test_a_cycle_comes_back_as_a_message(self):
		lines = [*self.lines(), {"item_code": SOAP, "qty": 1}]
		preview = builder.preview(SOAP, 1, json.dumps(lines))
		self.assertTrue(preview["error"])
		self.assertIn(SOAP, preview["problems"])

	def test_a_bad_quantity_is_a_message(self):
		self.assertTrue(builder.preview(SOAP, 1, json.dumps(self.lines()), qty="x")["error"])
		self.assertTrue(builder.preview(SOAP, 0, json.dumps(self.lines()))["problems"])


class TestSaveAndNewVersion(BuilderTestCase):
	def test_new_version_is_a_draft_copy_and_the_old_one_stays_default(self):
		name = self.draft()
		doc = frappe.get_doc("BOM", name)
		self.assertEqual(doc.docstatus, 0)
		self.assertEqual(doc.item, SOAP)
		self.assertEqual([row.item_code for row in doc.items], [BASE, WRAP, LABOUR, BOX])
		self.assertEqual(doc.items[1].tc_consumable, 1)
		self.assertEqual(frappe.db.get_value("Item", SOAP, "default_bom"), self.bom)
		self.assertEqual(builder.load(name)["docstatus"], 0)

	def test_new_version_of_a_draft_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			builder.new_version(self.draft())

	def test_save_writes_the_lines_through_the_document(self):
		name = self.draft()
		data = builder.load(name)
		lines = data["lines"]
		lines[0]["qty"] = 0.5
		lines[2]["tc_setup_qty"] = 0.05
		lines.append({"item_code": OIL, "qty": 0.02, "tc_attrition": 5})
		del lines[3]  # the box
		result = builder.save(name, json.dumps(lines), quantity=1, modified=data["modified"])
		doc = frappe.get_doc("BOM", name)
		self.assertEqual(result, {"bom": name, "modified": str(doc.modified)})
		self.assertEqual([row.item_code for row in doc.items], [BASE, WRAP, LABOUR, OIL])
		self.assertEqual(doc.items[0].qty, 0.5)
		self.assertEqual(doc.items[2].tc_setup_qty, 0.05)
		self.assertEqual(doc.items[3].tc_attrition, 5)
		self.assertEqual(doc.items[3].uom, "Kg")  # ERPNext filled in the new line from its item
		self.assertEqual(doc.items[3].stock_qty, 0.02)
		self.assertGreater(doc.total_cost, 0)  # and costed it

	def test_preview_matches_the_api_once_the_saved_bom_is_the_default(self):
		name = self.draft()
		lines = builder.load(name)["lines"]
		lines[0]["qty"] = 0.3
		lines.append({"item_code": OIL, "qty": 0.05})
		preview = builder.preview(SOAP, 1, json.dumps(lines), qty=7)
		builder.save(name, json.dumps(lines))
		frappe.get_doc("BOM", name).submit()
		self.assertEqual(frappe.db.get_value("Item", SOAP, "default_bom"), name)
		self.assertEqual(preview["cost"], api.cost(SOAP, 7))
		self.assertEqual(preview["capacity"], api.capacity(SOAP))

	def test_a_bad_line_is_refused_by_validation_and_nothing_changes(self):
		name = self.draft()
		before = frappe.get_doc("BOM", name)
		lines = builder.load(name)["lines"]
		lines[0]["tc_attrition"] = 150
		with self.assertRaises(frappe.ValidationError) as raised:
			builder.save(name, json.dumps(lines))
		self.assertIn("Attrition % must be at least 0% and below 100%, not 150%", str(raised.exception))
		after = frappe.get_doc("BOM", name)
		self.assertEqual(after.modified, before.modified)
		self.assertEqual(
			[row.tc_attrition for row in after.items], [row.tc_attrition for row in before.items]
		)

	def test_a_cycle_is_refused_by_validation(self):
		name = self.draft()
		lines = [*builder.load(name)["lines"], {"item_code": SOAP, "qty": 1}]
		with self.assertRaises(frappe.ValidationError):
			builder.save(name, json.dumps(lines))

	def test_a_submitted_bom_is_not_saved(self):
		with self.assertRaises(frappe.ValidationError):
			builder.save(self.bom, json.dumps(self.lines()))

	def test_a_stale_page_does_not_overwrite_newer_changes(self):
		name = self.draft()
		data = builder.load(name)
		frappe.db.set_value("BOM", name, "description", "changed elsewhere", update_modified=True)
		with self.assertRaises(frappe.TimestampMismatchError):
			builder.save(name, json.dumps(data["lines"]), modified=data["modified"])


class TestPermissions(BuilderTestCase):
	def test_without_bom_read_every_method_is_refused(self):
		name = self.draft()
		lines = json.dumps(self.lines())
		frappe.set_user(f.make_user("tc-builder-seller@example.com", ["Sales User"]))
		for call in (
			lambda: builder.load(self.bom),
			lambda: builder.load(item_code=SOAP),
			lambda: builder.preview(SOAP, 1, lines),
			lambda: builder.save(name, lines),
			lambda: builder.new_version(self.bom),
		):
			with self.assertRaises(frappe.PermissionError):
				call()

	def test_a_manufacturing_user_builds(self):
		frappe.set_user(f.make_user("tc-builder-maker@example.com", ["Manufacturing User", "Stock User"]))
		name = self.draft()
		lines = self.lines(name)
		lines[0]["qty"] = 0.5
		self.assertIsNone(builder.preview(SOAP, 1, json.dumps(lines))["error"])
		builder.save(name, json.dumps(lines))
		self.assertEqual(frappe.db.get_value("BOM Item", {"parent": name, "idx": 1}, "qty"), 0.5)
