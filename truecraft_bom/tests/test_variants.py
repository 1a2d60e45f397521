"""Live variant inheritance on a real site: a pottery template's inherited lines reach every mug variant,
template components resolve to the glaze matching the mug's attributes, and a template edit reaches them all."""

import frappe

from truecraft_bom import api
from truecraft_bom.tests import factories as f


def requirements(item_code, qty=1):
	return {r["item_code"]: float(r["qty"]) for r in api.explode(item_code, qty=qty)["requirements"]}


class TestPotteryVariants(f.TrueCraftTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		f.make_attribute("TC Form", ["Cup", "Tumbler"])
		f.make_attribute("TC Glaze", ["Blue", "Green", "Red"])
		f.make_item("POT-CLAY", stock_uom="Kg", rate=2)
		f.make_item("POT-HANDLE", rate=0.5)
		f.make_item("POT-BOX", rate=0.3)
		f.make_template("POT-GLAZE", ["TC Glaze"], stock_uom="Kg")
		cls.glaze = {g: f.make_variant("POT-GLAZE", {"TC Glaze": g}) for g in ("Blue", "Green")}
		f.make_template("POT-MUG", ["TC Form", "TC Glaze"])
		cls.cup_blue = f.make_variant("POT-MUG", {"TC Form": "Cup", "TC Glaze": "Blue"})
		cls.tumbler_green = f.make_variant("POT-MUG", {"TC Form": "Tumbler", "TC Glaze": "Green"})
		cls.template_bom = f.make_bom(
			"POT-MUG",
			[
				{"item_code": "POT-CLAY", "qty": 0.5, "tc_inherited": 1},
				{"item_code": "POT-GLAZE", "qty": 0.1, "tc_inherited": 1},
				{"item_code": "POT-BOX", "qty": 1},  # the template's own line: not inherited
			],
		)

	def test_each_variant_gets_inherited_lines_with_its_own_glaze(self):
		self.assertEqual(requirements(self.cup_blue, 10), {"POT-CLAY": 5, self.glaze["Blue"]: 1})
		self.assertEqual(requirements(self.tumbler_green, 10), {"POT-CLAY": 5, self.glaze["Green"]: 1})

	def test_capacity_of_a_variant_follows_its_own_glaze_stock(self):
		wh = f.warehouse()
		f.receive("POT-CLAY", 100)
		f.receive(self.glaze["Blue"], 0.7)
		f.receive(self.glaze["Green"], 5)
		self.assertEqual(
			api.capacity(self.cup_blue, warehouse=wh),
			{"item_code": self.cup_blue, "capacity": 7, "limiting": [self.glaze["Blue"]]},
		)
		self.assertEqual(api.capacity(self.tumbler_green, warehouse=wh)["capacity"], 50)

	def test_a_variant_line_overrides_the_inherited_one(self):
		f.make_item("POT-CLAY-FINE", stock_uom="Kg")
		f.make_bom(self.tumbler_green, [{"item_code": "POT-CLAY", "qty": 0.8}])
		self.assertEqual(requirements(self.tumbler_green, 10), {"POT-CLAY": 8, self.glaze["Green"]: 1})
		# the other variant still inherits the template's 0.5
		self.assertEqual(requirements(self.cup_blue, 10)["POT-CLAY"], 5)

	def test_editing_the_template_bom_changes_every_variant_at_once(self):
		new = frappe.copy_doc(self.template_bom)
		new.items[0].qty = 0.6
		new.insert()
		new.submit()
		self.assertEqual(frappe.db.get_value("Item", "POT-MUG", "default_bom"), new.name)
		self.assertEqual(requirements(self.cup_blue, 10)["POT-CLAY"], 6)

	def test_template_bom_refused_when_a_variant_has_no_matching_component(self):
		red = f.make_variant("POT-MUG", {"TC Form": "Cup", "TC Glaze": "Red"})  # no POT-GLAZE Red exists
		with self.assertRaises(frappe.ValidationError) as raised:
			api.explode(red, qty=1)
		self.assertIn(
			"no variant of <strong>POT-GLAZE</strong> matches its attributes", str(raised.exception)
		)
		self.assertIn("TC Glaze: Red", str(raised.exception))
		bom = frappe.copy_doc(self.template_bom)
		with self.assertRaises(frappe.ValidationError) as raised:
			bom.insert()
		self.assertIn(red, str(raised.exception))
