"""BOM revisions through REST as three users (proposer, approver, outsider): the line diff and its cost and
capacity impact, who may move which workflow state, release and retirement of the replaced BOM, and the
require_approved_revision guard.

These tests commit (each request runs on its own connection): every run makes its own items, named with a
run suffix, and puts TrueCraft Settings back.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import cint, flt

from truecraft_bom.revisions.release import retire_replaced_boms
from truecraft_bom.tests import factories as f

test_dependencies = ["Currency Exchange"]

PROPOSER = "tc-rev-proposer@example.com"
APPROVER = "tc-rev-approver@example.com"
OUTSIDER = "tc-rev-outsider@example.com"
NEW_REVISION = "truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision.make_revision"
APPLY_WORKFLOW = "frappe.model.workflow.apply_workflow"


class TestRevisionThroughRest(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		# the proposer may approve revisions in general: only having proposed this one stops them
		f.make_user(PROPOSER, ["Manufacturing User", "Manufacturing Manager", "Stock User"])
		f.make_user(APPROVER, ["Manufacturing User", "Manufacturing Manager", "Stock User"])
		f.make_user(OUTSIDER, ["Stock User", "Accounts User"])
		cls.proposer, cls.approver, cls.outsider = f.Rest(PROPOSER), f.Rest(APPROVER), f.Rest(OUTSIDER)
		f.set_settings(require_approved_revision=0)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		f.set_settings(require_approved_revision=0)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		run = frappe.generate_hash(length=5).upper()
		self.codes = {code: f"REV{run}-{code}" for code in ("P", "A", "B", "C", "D")}
		c = self.codes
		f.make_item(c["P"])
		f.make_item(c["A"], stock_uom="Kg")
		f.make_item(c["B"], stock_uom="Kg")
		f.make_item(c["C"], stock_uom="Kg")
		f.make_item(c["D"], stock_uom="Kg")
		self.current = f.make_bom(
			c["P"],
			[
				{"item_code": c["A"], "qty": 2},
				{"item_code": c["B"], "qty": 1},
				{"item_code": c["C"], "qty": 1, "tc_consumable": 1},
			],
		).name
		for code, qty, rate in (("A", 30, 3), ("B", 10, 5), ("C", 100, 1), ("D", 8, 4)):
			f.receive(c[code], qty, rate=rate)
		# open on the current BOM: it reserves 2 A, 1 B and 1 C for production
		self.work_order = f.make_work_order(c["P"], self.current, 1).name
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		f.set_settings(require_approved_revision=0)
		frappe.db.commit()

	# steps, each a REST call as one user

	def propose(self, reason="Cheaper shea butter") -> str:
		response = self.proposer.method(NEW_REVISION, bom=self.current, reason=reason)
		self.assertEqual(response.status_code, 200, response.json)
		return response.json["message"]

	def edit_proposed_bom(self, revision: str):
		"""A 2 -> 3; B removed; C no longer consumable, 10 % attrition; D added."""
		c = self.codes
		proposed = self.revision(revision)["proposed_bom"]
		rows = self.proposer.get(self.proposer.resource("BOM", proposed)).json["data"]["items"]
		kept = []
		for row in rows:
			if row["item_code"] == c["A"]:
				kept.append({"name": row["name"], "item_code": c["A"], "qty": 3})
			elif row["item_code"] == c["C"]:
				kept.append(
					{
						"name": row["name"],
						"item_code": c["C"],
						"qty": 1,
						"tc_consumable": 0,
						"tc_attrition": 10,
					}
				)
		kept.append({"item_code": c["D"], "qty": 1})
		response = self.proposer.put(self.proposer.resource("BOM", proposed), {"items": kept})
		self.assertEqual(response.status_code, 200, response.json)

	def act(self, rest, revision: str, action: str):
		doc = self.revision(revision)
		return rest.method(APPLY_WORKFLOW, doc=frappe.as_json(doc), action=action)

	def revision(self, name: str) -> dict:
		return frappe.get_doc("BOM Revision", name).as_dict()

	def state(self, name: str) -> str:
		return frappe.db.get_value("BOM Revision", name, "workflow_state")

	def approved(self) -> str:
		revision = self.propose()
		self.edit_proposed_bom(revision)
		self.assertEqual(self.act(self.proposer, revision, "Submit for Approval").status_code, 200)
		response = self.act(self.approver, revision, "Approve")
		self.assertEqual(response.status_code, 200, response.json)
		return revision

	# the tests

	def test_diff_and_impact_of_a_known_change(self):
		c = self.codes
		revision = self.propose()
		doc = self.revision(revision)
		self.assertEqual((doc["item_code"], doc["current_bom"]), (c["P"], self.current))
		self.assertEqual(doc["changes"], [], "a fresh copy changes nothing")
		self.assertEqual(flt(doc["cost_before"]), flt(doc["cost_after"]))

		self.edit_proposed_bom(revision)
		doc = self.revision(revision)
		changes = [
			(
				row["item_code"],
				row["change"],
				flt(row["old_qty"]),
				flt(row["new_qty"]),
				row["old_flags"],
				row["new_flags"],
			)
			for row in doc["changes"]
		]
		self.assertEqual(
			changes,
			[
				(c["A"], "Changed", 2, 3, "", ""),
				(c["B"], "Removed", 1, 0, "", ""),
				(c["C"], "Changed", 1, 1, "Consumable", "Attrition %: 10"),
				(c["D"], "Added", 0, 1, "", ""),
			],
		)
		# before: 2 A x 3 + 1 B x 5 + 1 C x 1 (consumables are costed); after: 3 A x 3 + 1.1 C x 1 + 1 D x 4
		self.assertEqual((flt(doc["cost_before"]), flt(doc["cost_after"])), (12, 14.1))
		# the open Work Order holds 2 A, 1 B, 1 C: B (9 free) limits before; D (8) after
		self.assertEqual((doc["capacity_before"], doc["limiting_before"]), (9, c["B"]))
		self.assertEqual((doc["capacity_after"], doc["limiting_after"]), (8, c["D"]))
		self.assertFalse(doc["capacity_before_unlimited"] or doc["capacity_after_unlimited"])
		self.assertEqual([row["work_order"] for row in doc["open_work_orders"]], [self.work_order])

		# the outsider can neither read it nor start one
		response = self.outsider.get(self.outsider.resource("BOM Revision", revision))
		self.assertEqual(response.status_code, 403)
		response = self.outsider.method(NEW_REVISION, bom=self.current, reason="mine")
		self.assertEqual(response.status_code, 403)
		self.assertEqual(frappe.db.count("BOM Revision", {"item_code": c["P"]}), 1)

	def test_proposer_cannot_approve_and_outsider_cannot_move_any_state(self):
		revision = self.propose()
		self.edit_proposed_bom(revision)
		response = self.act(self.outsider, revision, "Submit for Approval")
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.state(revision), "Draft")

		self.assertEqual(self.act(self.proposer, revision, "Submit for Approval").status_code, 200)
		self.assertEqual(self.state(revision), "Pending Approval")
		self.assertEqual(frappe.db.get_value("BOM Revision", revision, "proposed_by"), PROPOSER)

		for action in ("Approve", "Reject"):
			response = self.act(self.proposer, revision, action)
			self.assertEqual(response.status_code, 417, action)
			self.assertIn("Self approval is not allowed", response.json["_server_messages"])
			response = self.act(self.outsider, revision, action)
			self.assertEqual(response.status_code, 403, action)
		# nor by writing the state directly
		response = self.proposer.put(
			self.proposer.resource("BOM Revision", revision), {"workflow_state": "Approved", "docstatus": 1}
		)
		self.assertEqual(response.status_code, 403)
		self.assertIn("someone else must approve or reject it", response.json["_server_messages"])
		response = self.outsider.put(
			self.outsider.resource("BOM Revision", revision), {"workflow_state": "Approved", "docstatus": 1}
		)
		self.assertEqual(response.status_code, 403)
		self.assertEqual(
			(self.state(revision), frappe.db.get_value("BOM Revision", revision, "docstatus")),
			("Pending Approval", 0),
		)

		response = self.act(self.approver, revision, "Approve")
		self.assertEqual(response.status_code, 200, response.json)
		doc = self.revision(revision)
		self.assertEqual(
			(doc["workflow_state"], doc["docstatus"], doc["reviewed_by"]), ("Approved", 1, APPROVER)
		)
		self.assertTrue(doc["effective_checksum"])
		response = self.act(self.outsider, revision, "Release")
		self.assertEqual(response.status_code, 403)
		self.assertEqual(self.state(revision), "Approved")
		self.assertEqual(frappe.db.get_value("BOM", doc["proposed_bom"], "docstatus"), 0, "nothing released")

	def test_rejected_revision_releases_nothing(self):
		revision = self.propose()
		self.assertEqual(self.act(self.proposer, revision, "Submit for Approval").status_code, 200)
		response = self.act(self.approver, revision, "Reject")
		self.assertEqual(response.status_code, 200, response.json)
		doc = self.revision(revision)
		self.assertEqual(
			(doc["workflow_state"], doc["docstatus"], doc["reviewed_by"]), ("Rejected", 1, APPROVER)
		)
		self.assertEqual(self.act(self.approver, revision, "Release").status_code, 417)
		self.assertEqual(frappe.db.get_value("Item", self.codes["P"], "default_bom"), self.current)

	def test_release_swaps_the_default_and_retires_the_old_bom_after_its_work_order_closes(self):
		f.set_settings(require_approved_revision=1)  # a release passes the guard
		revision = self.approved()
		proposed = self.revision(revision)["proposed_bom"]

		response = self.act(self.approver, revision, "Release")
		self.assertEqual(response.status_code, 200, response.json)
		self.assertEqual(frappe.db.get_value("Item", self.codes["P"], "default_bom"), proposed)
		new = frappe.db.get_value("BOM", proposed, ["docstatus", "is_default", "is_active"], as_dict=True)
		self.assertEqual((new.docstatus, new.is_default, new.is_active), (1, 1, 1))
		old = frappe.db.get_value("BOM", self.current, ["is_default", "is_active"], as_dict=True)
		self.assertEqual((old.is_default, old.is_active), (0, 1), "kept active for its open Work Order")
		doc = self.revision(revision)
		self.assertEqual(
			(doc["workflow_state"], doc["released_by"], doc["retirement"]), ("Released", APPROVER, "Waiting")
		)
		self.assertIn(self.work_order, doc["retirement_note"])

		retire_replaced_boms()  # the hourly job: the Work Order is still open
		self.assertEqual(cint(frappe.db.get_value("BOM", self.current, "is_active")), 1)

		frappe.get_doc("Work Order", self.work_order).update_status("Closed")
		retire_replaced_boms()
		self.assertEqual(cint(frappe.db.get_value("BOM", self.current, "is_active")), 0)
		doc = self.revision(revision)
		self.assertEqual(doc["retirement"], "Retired")
		self.assertTrue(doc["retired_on"])

		# every step is on the timeline: who, and when
		steps = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "BOM Revision",
				"reference_name": revision,
				"comment_type": "Workflow",
			},
			fields=["content", "owner", "creation"],
			order_by="creation",
		)
		self.assertEqual(
			[(step.content, step.owner) for step in steps],
			[("Pending Approval", PROPOSER), ("Approved", APPROVER), ("Released", APPROVER)],
		)

	def test_guard_refuses_a_direct_default_change(self):
		c = self.codes
		other = f.make_bom(c["P"], [{"item_code": c["A"], "qty": 5}], is_default=0).name
		f.set_settings(require_approved_revision=1)
		frappe.db.commit()
		response = self.approver.put(self.approver.resource("BOM", other), {"is_default": 1})
		self.assertEqual(response.status_code, 417)
		self.assertIn("needs a released BOM Revision", response.json["_server_messages"])
		self.assertIn("/app/bom-revision", response.json["_server_messages"])
		self.assertEqual(frappe.db.get_value("Item", c["P"], "default_bom"), self.current)
		self.assertEqual(cint(frappe.db.get_value("BOM", other, "is_default")), 0)
