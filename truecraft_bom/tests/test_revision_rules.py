"""BOM revision rules in one transaction each (rolled back): who may review, what blocks a release, the
require_approved_revision guard on every way of changing a default BOM, and the BOM form's warning when a
released BOM's inherited lines drift from what was approved."""

import frappe
from frappe.desk.form.load import run_onload
from frappe.model.workflow import apply_workflow
from frappe.utils import cint

from truecraft_bom.revisions.guard import RevisionRequiredError
from truecraft_bom.tests import factories as f
from truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision import SelfApprovalError, make_revision

PROPOSER = "tc-rules-proposer@example.com"
APPROVER = "tc-rules-approver@example.com"
SECOND = "tc-rules-second@example.com"


class RevisionTestCase(f.TrueCraftTestCase):
	def setUp(self):
		super().setUp()
		roles = ["Manufacturing User", "Manufacturing Manager", "Stock User"]
		for user in (PROPOSER, APPROVER, SECOND):
			f.make_user(user, roles)
		f.set_settings(require_approved_revision=0)
		for code in ("RR-P", "RR-M1", "RR-M2"):
			f.make_item(code)
		self.current = f.make_bom("RR-P", [{"item_code": "RR-M1", "qty": 1}]).name

	def as_user(self, user, action, *args):
		frappe.set_user(user)
		try:
			return action(*args)
		finally:
			frappe.set_user("Administrator")

	def propose(self, bom=None, user=PROPOSER) -> str:
		return self.as_user(user, make_revision, bom or self.current, "test")

	def step(self, user, revision, action):
		return self.as_user(user, apply_workflow, frappe.get_doc("BOM Revision", revision), action)

	def approve(self, revision):
		self.step(PROPOSER, revision, "Submit for Approval")
		self.step(APPROVER, revision, "Approve")

	def proposed(self, revision):
		return frappe.get_doc("BOM", frappe.db.get_value("BOM Revision", revision, "proposed_bom"))


class TestReview(RevisionTestCase):
	def test_whoever_submitted_it_for_approval_cannot_review_it(self):
		revision = self.propose()
		self.step(
			SECOND, revision, "Submit for Approval"
		)  # not the owner: Frappe alone would let SECOND approve
		for action in ("Approve", "Reject"):
			with self.assertRaises(SelfApprovalError):
				self.step(SECOND, revision, action)
		self.assertEqual(frappe.db.get_value("BOM Revision", revision, "workflow_state"), "Pending Approval")

	def test_administrator_cannot_approve_its_own_revision(self):
		revision = self.propose(user="Administrator")
		self.step(PROPOSER, revision, "Submit for Approval")
		with self.assertRaises(SelfApprovalError):
			self.step("Administrator", revision, "Approve")
		self.step(APPROVER, revision, "Approve")
		self.assertEqual(frappe.db.get_value("BOM Revision", revision, "reviewed_by"), APPROVER)

	def test_new_revision_starts_from_the_default_bom_only(self):
		old = f.make_bom("RR-P", [{"item_code": "RR-M2", "qty": 1}], is_default=0).name
		with self.assertRaises(frappe.ValidationError) as raised:
			self.propose(old)
		self.assertIn("is not it", str(raised.exception))
		outsider = f.make_user("tc-rules-outsider@example.com", ["Stock User"])
		with self.assertRaises(frappe.PermissionError):
			self.propose(user=outsider)
		self.assertFalse(frappe.db.exists("BOM Revision", {"item_code": "RR-P"}))

	def test_a_draft_bom_is_proposed_once_and_only_for_its_item(self):
		revision = self.propose()
		proposed = self.proposed(revision).name
		duplicate = frappe.get_doc(
			{"doctype": "BOM Revision", "item_code": "RR-P", "proposed_bom": proposed, "reason": "x"}
		)
		with self.assertRaises(frappe.ValidationError) as raised:
			duplicate.insert()
		self.assertIn(f"is already proposed by <strong>{revision}</strong>", str(raised.exception))
		f.make_item("RR-Q")
		f.make_bom("RR-Q", [{"item_code": "RR-M1", "qty": 1}])
		other = frappe.get_doc(
			{"doctype": "BOM Revision", "item_code": "RR-Q", "proposed_bom": proposed, "reason": "x"}
		)
		with self.assertRaises(frappe.ValidationError) as raised:
			other.insert()
		self.assertIn("is for <strong>RR-P</strong>, not <strong>RR-Q</strong>", str(raised.exception))

	def test_saving_the_proposed_bom_refreshes_the_revision(self):
		revision = self.propose()
		self.step(PROPOSER, revision, "Submit for Approval")
		bom = self.proposed(revision)
		bom.append("items", {"item_code": "RR-M2", "qty": 4, "tc_optional": 1})
		self.as_user(PROPOSER, bom.save)
		rows = frappe.get_doc("BOM Revision", revision).changes
		self.assertEqual(
			[(row.item_code, row.change, row.new_qty, row.new_flags) for row in rows],
			[("RR-M2", "Added", 4, "Optional")],
		)


class TestRelease(RevisionTestCase):
	def test_release_is_refused_when_the_proposed_bom_changed_after_approval(self):
		revision = self.propose()
		self.approve(revision)
		bom = self.proposed(revision)
		bom.items[0].qty = 7
		self.as_user(PROPOSER, bom.save)
		with self.assertRaises(frappe.ValidationError) as raised:
			self.step(APPROVER, revision, "Release")
		self.assertIn("changed after this revision was approved", str(raised.exception))
		self.assertEqual(frappe.db.get_value("Item", "RR-P", "default_bom"), self.current)
		self.assertEqual(frappe.db.get_value("BOM", bom.name, "docstatus"), 0)

	def test_release_is_refused_when_another_revision_replaced_the_default_first(self):
		first, second = self.propose(), self.propose()
		self.approve(first)
		self.approve(second)
		self.step(APPROVER, second, "Release")
		with self.assertRaises(frappe.ValidationError) as raised:
			self.step(APPROVER, first, "Release")
		self.assertIn("propose a new revision", str(raised.exception))
		self.assertEqual(frappe.db.get_value("Item", "RR-P", "default_bom"), self.proposed(second).name)

	def test_release_without_open_work_orders_retires_the_old_bom_at_once(self):
		revision = self.propose()
		self.approve(revision)
		self.step(APPROVER, revision, "Release")
		self.assertEqual(cint(frappe.db.get_value("BOM", self.current, "is_active")), 0)
		self.assertEqual(frappe.db.get_value("BOM Revision", revision, "retirement"), "Retired")


class TestGuard(RevisionTestCase):
	def refused(self, action):
		f.set_settings(require_approved_revision=1)
		with self.assertRaises(RevisionRequiredError) as raised:
			action()
		self.assertIn("BOM Revision", str(raised.exception))

	def test_submitting_another_bom_for_an_item_with_a_default(self):
		self.refused(lambda: f.make_bom("RR-P", [{"item_code": "RR-M2", "qty": 1}], is_default=0))
		self.assertEqual(frappe.db.count("BOM", {"item": "RR-P", "docstatus": 1}), 1)

	def test_making_a_bom_default(self):
		other = f.make_bom("RR-P", [{"item_code": "RR-M2", "qty": 1}], is_default=0)

		def make_default():
			other.is_default = 1
			other.save()

		self.refused(make_default)
		self.assertEqual(frappe.db.get_value("Item", "RR-P", "default_bom"), self.current)

	def test_deactivating_or_cancelling_the_default(self):
		bom = frappe.get_doc("BOM", self.current)

		def deactivate():
			bom.is_active = 0
			bom.save()

		self.refused(deactivate)
		self.refused(frappe.get_doc("BOM", self.current).cancel)
		self.assertEqual(frappe.db.get_value("BOM", self.current, ["is_active", "docstatus"]), (1, 1))

	def test_off_by_default_and_the_first_bom_of_an_item_is_free(self):
		f.make_bom("RR-P", [{"item_code": "RR-M2", "qty": 1}])  # setting off: a new default as before
		f.set_settings(require_approved_revision=1)
		f.make_item("RR-NEW")
		self.assertEqual(f.make_bom("RR-NEW", [{"item_code": "RR-M1", "qty": 1}]).docstatus, 1)


class TestEffectiveLinesWarning(RevisionTestCase):
	"""A variant's released BOM inherits a template line; changing that line makes the BOM form warn."""

	def setUp(self):
		super().setUp()
		f.make_attribute("RR Size", ["Small", "Large"])
		f.make_template("RR-MUG", ["RR Size"])
		self.variant = f.make_variant("RR-MUG", {"RR Size": "Small"})
		f.make_bom("RR-MUG", [{"item_code": "RR-M1", "qty": 1, "tc_inherited": 1}])
		bom = f.make_bom(self.variant, [{"item_code": "RR-M2", "qty": 1}]).name
		self.revision = self.propose(bom)
		self.approve(self.revision)
		self.step(APPROVER, self.revision, "Release")
		self.released = self.proposed(self.revision)

	def warning(self):
		bom = frappe.get_doc("BOM", self.released.name)
		run_onload(bom)  # what the desk does when it opens the form
		return bom.get_onload().get("tc_revision_drift")

	def test_no_warning_while_the_lines_match(self):
		self.assertIsNone(self.warning())
		# a template line the variant does not inherit changes nothing
		f.make_bom(
			"RR-MUG", [{"item_code": "RR-M1", "qty": 1, "tc_inherited": 1}, {"item_code": "RR-M2", "qty": 5}]
		)
		self.assertIsNone(self.warning())

	def test_warns_when_an_inherited_template_line_changed(self):
		f.make_bom("RR-MUG", [{"item_code": "RR-M1", "qty": 3, "tc_inherited": 1}])
		self.assertEqual(self.warning(), {"revision": self.revision})
