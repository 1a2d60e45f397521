"""The "BOM Revision Approval" workflow the app ships, defined once.

It is created on install and on every migrate, only when BOM Revision has no workflow: once there, it belongs
to the site and may be edited (roles, messages, extra states) or deactivated; a deleted one comes back with
the next migrate. The state names below are what the BOM Revision controller acts on, so keep them. Uninstall removes the workflow, its
pending workflow actions, and the states and actions added here that no other workflow uses.
"""

import frappe

DOCTYPE = "BOM Revision"
WORKFLOW = "BOM Revision Approval"

DRAFT = "Draft"
PENDING = "Pending Approval"
APPROVED = "Approved"
REJECTED = "Rejected"
RELEASED = "Released"

PROPOSER = "Manufacturing User"
APPROVER = "Manufacturing Manager"

# state, docstatus, the role that may edit the document in it, style of its indicator
STATES = (
	(DRAFT, 0, PROPOSER, ""),
	(PENDING, 0, APPROVER, "Warning"),
	(APPROVED, 1, APPROVER, "Success"),
	(REJECTED, 1, APPROVER, "Danger"),
	(RELEASED, 1, APPROVER, "Primary"),
)

# state, action, next state, the role allowed to take it, whoever created the document may take it too
TRANSITIONS = (
	(DRAFT, "Submit for Approval", PENDING, PROPOSER, True),
	(PENDING, "Approve", APPROVED, APPROVER, False),
	(PENDING, "Reject", REJECTED, APPROVER, False),
	(APPROVED, "Release", RELEASED, APPROVER, True),
)

# Frappe installs these itself: never removed
_FRAPPE_STATES = {"Pending", "Approved", "Rejected"}
_FRAPPE_ACTIONS = {"Approve", "Reject", "Review"}


def create():
	"""Create the workflow (and the states and actions it names) unless BOM Revision already has one."""
	if frappe.db.exists("Workflow", {"document_type": DOCTYPE}):
		return
	for state, _docstatus, _role, style in STATES:
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": state, "style": style}
			).insert(ignore_permissions=True)
	for action in {action for _state, action, *_rest in TRANSITIONS}:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW,
			"document_type": DOCTYPE,
			"is_active": 1,
			"send_email_alert": 0,
			"workflow_state_field": "workflow_state",
			"states": [
				{"state": state, "doc_status": str(docstatus), "allow_edit": role}
				for state, docstatus, role, _style in STATES
			],
			"transitions": [
				{
					"state": state,
					"action": action,
					"next_state": next_state,
					"allowed": role,
					"allow_self_approval": int(self_approval),
				}
				for state, action, next_state, role, self_approval in TRANSITIONS
			],
		}
	).insert(ignore_permissions=True)


def remove():
	"""Remove every workflow of BOM Revision, its pending actions, and the states and actions only it used."""
	for name in frappe.get_all("Workflow", {"document_type": DOCTYPE}, pluck="name"):
		frappe.delete_doc("Workflow", name, ignore_permissions=True, force=True)
	frappe.db.delete("Workflow Action", {"reference_doctype": DOCTYPE})

	used_states = set(frappe.get_all("Workflow Document State", pluck="state"))
	used_actions = set(frappe.get_all("Workflow Transition", pluck="action"))
	states = {state for state, *_rest in STATES} - _FRAPPE_STATES - used_states
	actions = {action for _state, action, *_rest in TRANSITIONS} - _FRAPPE_ACTIONS - used_actions
	# plain deletes: BOM Revision documents still link to the states until the doctype itself goes
	if states:
		frappe.db.delete("Workflow State", {"name": ("in", sorted(states))})
	if actions:
		frappe.db.delete("Workflow Action Master", {"name": ("in", sorted(actions))})
	frappe.cache.hdel("workflow", DOCTYPE)
