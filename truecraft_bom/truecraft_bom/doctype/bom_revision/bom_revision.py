# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt

"""A proposed new BOM for an item, with its line diff and its cost and capacity impact, taken through the
"BOM Revision Approval" workflow (``setup.workflow``): the steps are recorded here, the release is
``revisions.release``."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, now_datetime

from truecraft_bom.arguments import record, whitelist
from truecraft_bom.revisions import checksum, impact, release
from truecraft_bom.setup.workflow import APPROVED, PENDING, REJECTED, RELEASED


class SelfApprovalError(frappe.PermissionError):
	"""Whoever created a revision or submitted it for approval may not approve or reject it."""


class BOMRevision(Document):
	def validate(self):
		self.set_current_bom()
		self.check_boms()
		self.record_step()
		if self.workflow_state != REJECTED:  # a rejection needs no figures (the proposal may be gone)
			self.refresh_impact()

	def before_submit(self):
		if self.workflow_state == APPROVED:
			# what was approved: the release checks the proposed BOM's own lines against it, the BOM form
			# its effective lines (inherited ones included)
			proposed = self.proposed_doc()
			self.effective_checksum = checksum.effective(self.item_code, proposed)
			self.own_lines_checksum = checksum.own(self.item_code, proposed)

	def before_update_after_submit(self):
		before = self.get_doc_before_save()
		if self.workflow_state == RELEASED and before is not None and before.workflow_state != RELEASED:
			self.released_by = frappe.session.user
			self.released_on = now_datetime()
			release.release(self)

	def before_cancel(self):
		if self.released_on:
			frappe.throw(_("A released revision stays: propose a new revision to change the BOM again"))

	def set_current_bom(self):
		if self.current_bom:
			return
		self.current_bom = frappe.db.get_value(
			"BOM", {"item": self.item_code, "is_default": 1, "is_active": 1, "docstatus": 1}, "name"
		)
		if not self.current_bom:
			frappe.throw(
				_("{0} has no default BOM yet: submit its first BOM directly").format(_bold(self.item_code)),
				title=_("Nothing to Revise"),
			)

	def check_boms(self):
		current = frappe.db.get_value("BOM", self.current_bom, ["item", "docstatus"], as_dict=True)
		proposed = frappe.db.get_value("BOM", self.proposed_bom, ["item", "docstatus"], as_dict=True)
		for name, bom in ((self.current_bom, current), (self.proposed_bom, proposed)):
			if bom.item != self.item_code:
				frappe.throw(
					_("BOM {0} is for {1}, not {2}").format(
						_bold(name), _bold(bom.item), _bold(self.item_code)
					)
				)
		if self.proposed_bom == self.current_bom:
			frappe.throw(_("The proposed BOM must be a new BOM, not the current one"))
		if proposed.docstatus == 2 or (self.is_new() and proposed.docstatus != 0):
			frappe.throw(
				_("The proposed BOM {0} must be a draft: releasing the revision submits it").format(
					_bold(self.proposed_bom)
				)
			)
		other = frappe.db.get_value(
			"BOM Revision",
			{
				"proposed_bom": self.proposed_bom,
				"name": ("!=", self.name),
				"docstatus": ("<", 2),
				"workflow_state": ("!=", REJECTED),
			},
			"name",
		)
		if other:
			frappe.throw(
				_("BOM {0} is already proposed by {1}").format(_bold(self.proposed_bom), _bold(other))
			)

	def record_step(self):
		"""Who took the workflow step that this save makes, and when. The proposer may not review."""
		before = self.get_doc_before_save()
		previous = before.workflow_state if before is not None else None
		if not self.workflow_state or self.workflow_state == previous:
			return
		user = frappe.session.user
		if self.workflow_state == PENDING:
			self.proposed_by, self.proposed_on = user, now_datetime()
		elif self.workflow_state in (APPROVED, REJECTED):
			# Frappe's "Allow Self Approval" only compares the user with the owner, lets Administrator
			# through, and is not checked when the state is written directly (a REST PUT)
			if user in (self.owner, self.proposed_by):
				frappe.throw(
					_("You proposed this revision: someone else must approve or reject it"),
					SelfApprovalError,
					title=_("Self Approval Not Allowed"),
				)
			self.reviewed_by, self.reviewed_on = user, now_datetime()

	def refresh_impact(self):
		"""The diff, the figures before and after, and the open Work Orders: from the BOMs as they are now."""
		current = frappe.get_doc("BOM", self.current_bom)
		proposed = self.proposed_doc()
		self.set("changes", impact.line_changes(current, proposed))
		before = impact.figures(self.item_code, current)
		after = impact.figures(self.item_code, proposed)
		self.cost_before, self.cost_after = before["cost"], after["cost"]
		self.capacity_before, self.capacity_after = before["capacity"], after["capacity"]
		self.capacity_before_unlimited, self.capacity_after_unlimited = (
			before["unlimited"],
			after["unlimited"],
		)
		self.limiting_before, self.limiting_after = before["limiting"], after["limiting"]
		self.set("open_work_orders", impact.open_work_orders(self.current_bom))

	def proposed_doc(self):
		doc = self.flags.get("proposed_bom_doc")
		if doc is None or doc.name != self.proposed_bom:
			doc = frappe.get_doc("BOM", self.proposed_bom)
		return doc


def refresh_revisions_of(bom):
	"""A draft BOM was saved: refresh the revisions that propose it and are not decided yet."""
	if bom.docstatus != 0:
		return
	for name in frappe.get_all("BOM Revision", {"proposed_bom": bom.name, "docstatus": 0}, pluck="name"):
		revision = frappe.get_doc("BOM Revision", name)
		revision.flags.proposed_bom_doc = bom
		# whoever may edit the proposed BOM keeps its figures current, whatever their rights on the revision
		revision.flags.ignore_permissions = True
		revision.save()


@whitelist(methods=["POST"])
def make_revision(bom: str, reason: str | None = None) -> str:
	"""The BOM form's New Revision: a draft copy of the default BOM ``bom`` and a revision proposing it."""
	source = frappe.get_doc("BOM", record("BOM", bom))
	source.check_permission("read")
	frappe.has_permission("BOM", "create", throw=True)
	frappe.has_permission("BOM Revision", "create", throw=True)
	if not (source.docstatus == 1 and source.is_default and source.is_active):
		frappe.throw(
			_("A revision starts from the default BOM of {0}, and {1} is not it").format(
				_bold(source.item), _bold(source.name)
			)
		)
	proposed = frappe.copy_doc(source)
	for doc in (proposed, *proposed.get_all_children()):
		doc.docstatus = 0
	proposed.is_active = 1
	proposed.is_default = 1
	proposed.insert()
	revision = frappe.get_doc(
		{
			"doctype": "BOM Revision",
			"item_code": source.item,
			"current_bom": source.name,
			"proposed_bom": proposed.name,
			"reason": reason,
		}
	).insert()
	return revision.name


def _bold(text) -> str:
	return frappe.bold(escape_html(str(text or "")))
