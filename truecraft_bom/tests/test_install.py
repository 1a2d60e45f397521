"""The app installs into ERPNext: module registered, custom fields and grid columns in place, removable."""

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.tests.utils import FrappeTestCase

from truecraft_bom.setup import install, workflow
from truecraft_bom.setup.custom_fields import CUSTOM_FIELDS, PROPERTY_SETTERS


class TestInstall(FrappeTestCase):
	def test_module_is_registered_to_the_app(self):
		self.assertIn("truecraft_bom", frappe.get_installed_apps())
		self.assertEqual(frappe.db.get_value("Module Def", "TrueCraft BOM", "app_name"), "truecraft_bom")

	def test_custom_fields_exist_with_their_types(self):
		bom_item = frappe.get_meta("BOM Item")
		expected = {
			"tc_setup_qty": "Float",
			"tc_attrition": "Percent",
			"tc_rounding_multiple": "Float",
			"tc_consumable": "Check",
			"tc_optional": "Check",
			"tc_inherited": "Check",
			"tc_reference": "Data",
			"tc_note": "Data",
		}
		for fieldname, fieldtype in expected.items():
			field = bom_item.get_field(fieldname)
			self.assertIsNotNone(field, fieldname)
			self.assertEqual(field.fieldtype, fieldtype, fieldname)
			self.assertTrue(field.description, f"{fieldname} has help text")
		self.assertEqual(frappe.get_meta("Item").get_field("tc_deplete_on_sale").fieldtype, "Check")

	def test_rules_are_columns_of_the_bom_items_grid(self):
		meta = frappe.get_meta("BOM Item")
		in_grid = [f.fieldname for f in meta.fields if f.in_list_view]
		for fieldname in ("tc_setup_qty", "tc_attrition", "tc_consumable", "tc_optional", "tc_inherited"):
			self.assertIn(fieldname, in_grid)
		# the grid shows at most 10 column units
		self.assertLessEqual(sum(f.columns or 2 for f in meta.fields if f.in_list_view), 10)

	def test_sync_is_idempotent(self):
		before = frappe.db.count("Custom Field", {"fieldname": ("like", "tc\\_%")})
		install.sync()
		install.sync()
		self.assertEqual(frappe.db.count("Custom Field", {"fieldname": ("like", "tc\\_%")}), before)


class TestUninstall(FrappeTestCase):
	"""before_uninstall removes every field and setter (then the test puts them back)."""

	def test_uninstall_removes_fields_and_setters(self):
		# a setter the user made on the same doctype is not the app's: it stays
		make_property_setter("BOM Item", "qty", "bold", "1", "Check", validate_fields_for_doctype=False)
		try:
			install.before_uninstall()
			self.assertTrue(frappe.db.exists("Property Setter", "BOM Item-qty-bold"))
			for doctype, fields in CUSTOM_FIELDS.items():
				for field in fields:
					self.assertFalse(
						frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]}),
						field["fieldname"],
					)
					# built fresh: another process on a shared site may re-cache meta from committed rows
					self.assertIsNone(
						frappe.get_meta(doctype, cached=False).get_field(field["fieldname"]),
						field["fieldname"],
					)
			for setter in PROPERTY_SETTERS:
				filters = {
					"doc_type": setter["doctype"],
					"field_name": setter["fieldname"],
					"property": setter["property"],
				}
				self.assertFalse(frappe.db.exists("Property Setter", filters), setter)
		finally:
			frappe.db.delete("Property Setter", {"name": "BOM Item-qty-bold"})
			install.sync()
			# sync's schema changes committed the removal: commit the restoration too
			frappe.db.commit()
		self.assertTrue(frappe.get_meta("BOM Item").get_field("tc_attrition"))


class TestRevisionWorkflow(FrappeTestCase):
	"""The BOM Revision Approval workflow: created on install and migrate, never overwritten, removed on
	uninstall."""

	def test_installed_with_its_states_and_transitions(self):
		flow = frappe.get_doc("Workflow", workflow.WORKFLOW)
		self.assertEqual((flow.document_type, flow.is_active), ("BOM Revision", 1))
		self.assertEqual(
			[(s.state, s.doc_status) for s in flow.states],
			[
				("Draft", "0"),
				("Pending Approval", "0"),
				("Approved", "1"),
				("Rejected", "1"),
				("Released", "1"),
			],
		)
		self.assertEqual(
			[(t.state, t.action, t.next_state, t.allowed, t.allow_self_approval) for t in flow.transitions],
			[
				("Draft", "Submit for Approval", "Pending Approval", "Manufacturing User", 1),
				("Pending Approval", "Approve", "Approved", "Manufacturing Manager", 0),
				("Pending Approval", "Reject", "Rejected", "Manufacturing Manager", 0),
				("Approved", "Release", "Released", "Manufacturing Manager", 1),
			],
		)

	def test_an_edited_workflow_is_kept(self):
		flow = frappe.get_doc("Workflow", workflow.WORKFLOW)
		flow.transitions[0].allowed = "Manufacturing Manager"
		flow.save()
		try:
			install.sync()  # what every migrate runs
			self.assertEqual(frappe.db.count("Workflow", {"document_type": "BOM Revision"}), 1)
			self.assertEqual(
				frappe.get_doc("Workflow", workflow.WORKFLOW).transitions[0].allowed, "Manufacturing Manager"
			)
		finally:
			flow.reload()
			flow.transitions[0].allowed = workflow.PROPOSER
			flow.save()
			frappe.db.commit()  # in case sync's schema check committed the edit

	def test_uninstall_removes_the_workflow(self):
		try:
			install.before_uninstall()
			self.assertFalse(frappe.db.exists("Workflow", {"document_type": "BOM Revision"}))
			self.assertFalse(frappe.db.exists("Workflow Action", {"reference_doctype": "BOM Revision"}))
			for state in ("Draft", "Pending Approval", "Released"):
				self.assertFalse(frappe.db.exists("Workflow State", state), state)
			for action in ("Submit for Approval", "Release"):
				self.assertFalse(frappe.db.exists("Workflow Action Master", action), action)
			# Frappe's own states and actions stay
			self.assertTrue(frappe.db.exists("Workflow State", "Approved"))
			self.assertTrue(frappe.db.exists("Workflow Action Master", "Approve"))
			self.assertIsNone(frappe.get_meta("BOM Revision").get_workflow())
		finally:
			install.sync()
			# sync's schema changes committed the removal: commit the restoration too
			frappe.db.commit()
		self.assertTrue(frappe.get_meta("BOM Revision").get_workflow())


class TestStructureCache(FrappeTestCase):
	"""The cached BOM structure is reused while nothing changed and reloaded after a change."""

	def test_reused_until_invalidated(self):
		from truecraft_bom import catalog

		frappe.cache.delete_value(catalog.VERSION_KEY)
		frappe.cache.delete(frappe.cache.make_key(catalog.VERSION_KEY))
		first = catalog.structure()
		self.assertIsNotNone(catalog._version(), "a missing counter is started again")
		self.assertIs(catalog.structure(), first)
		catalog.invalidate()
		self.assertIsNot(catalog.structure(), first)
