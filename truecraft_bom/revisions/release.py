"""Releasing an approved BOM Revision: the proposed BOM is submitted and becomes the item's default; the BOM
it replaces is retired (made inactive) as soon as nothing uses it any more, retried every hour until then."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime

from truecraft_bom.revisions import checksum, guard
from truecraft_bom.revisions.impact import open_work_orders

WAITING, RETIRED = "Waiting", "Retired"


def release(revision):
	"""Put ``revision``'s proposed BOM live. Refused, with nothing changed, when the item's default BOM is no
	longer the one the revision was made against, or the proposed BOM changed after it was approved."""
	default = frappe.db.get_value(
		"BOM", {"item": revision.item_code, "is_default": 1, "is_active": 1, "docstatus": 1}, "name"
	)
	if default != revision.current_bom:
		frappe.throw(
			_(
				"The default BOM of {0} is now {1}, not {2} as when this revision was proposed: propose a new revision"
			).format(_bold(revision.item_code), _bold(default or _("none")), _bold(revision.current_bom)),
			title=_("Default BOM Changed"),
		)
	bom = frappe.get_doc("BOM", revision.proposed_bom)
	if bom.docstatus == 2:
		frappe.throw(_("The proposed BOM {0} is cancelled").format(_bold(bom.name)))
	if checksum.own(revision.item_code, bom) != revision.own_lines_checksum:
		frappe.throw(
			_("The proposed BOM {0} changed after this revision was approved: propose a new revision").format(
				_bold(bom.name)
			),
			title=_("Proposed BOM Changed"),
		)
	guard.allow(bom, revision.name)
	# the workflow decides who releases; the BOM changes are part of the release
	bom.flags.ignore_permissions = True
	bom.is_active = 1
	bom.is_default = 1
	if bom.docstatus == 0:
		bom.submit()
	else:
		bom.save()
	values = retire_if_unused(revision)
	revision.update(values)
	if values["retirement"] == RETIRED:
		_record_retirement(revision)


def retire_if_unused(revision) -> dict:
	"""Retire (deactivate) the revision's current BOM if nothing uses it any more; returns the revision's
	retirement fields."""
	bom = frappe.get_doc("BOM", revision.current_bom)
	if bom.docstatus != 1 or not bom.is_active:
		return {
			"retirement": RETIRED,
			"retirement_note": "",
			"retired_on": revision.retired_on or now_datetime(),
		}
	waits = _still_used(bom)
	if waits:
		return {"retirement": WAITING, "retirement_note": waits}
	guard.allow(bom, revision.name)
	bom.flags.ignore_permissions = True
	bom.is_active = 0
	bom.save()
	return {"retirement": RETIRED, "retirement_note": "", "retired_on": now_datetime()}


def _still_used(bom) -> str:
	"""What keeps ``bom`` active, in words; empty when nothing does."""
	reasons = []
	if bom.is_default:
		reasons.append(_("it is still the default BOM of {0}").format(bom.item))
	orders = [row.work_order for row in open_work_orders(bom.name)]
	if orders:
		reasons.append(_("open Work Orders {0}").format(", ".join(orders)))
	parents = _active_parents(bom.name)
	if parents:
		reasons.append(
			_("active BOMs {0} use it (replace it there with the BOM Update Tool)").format(", ".join(parents))
		)
	return "; ".join(reasons)


def _active_parents(bom: str) -> list[str]:
	"""Submitted, active BOMs with a line that names ``bom`` (ERPNext will not deactivate it then)."""
	parent = frappe.qb.DocType("BOM")
	line = frappe.qb.DocType("BOM Item")
	return (
		frappe.qb.from_(line)
		.join(parent)
		.on(parent.name == line.parent)
		.select(parent.name)
		.distinct()
		.where(
			(line.bom_no == bom)
			& (line.parenttype == "BOM")
			& (parent.docstatus == 1)
			& (parent.is_active == 1)
		)
		.orderby(parent.name)
		.run(pluck=True)
	)


def retire_replaced_boms():
	"""Scheduled: retire the BOMs that released revisions replaced, once their last Work Order is closed."""
	for name in frappe.get_all(
		"BOM Revision", filters={"docstatus": 1, "retirement": WAITING}, pluck="name", order_by="released_on"
	):
		frappe.db.savepoint("truecraft_retire")
		try:
			revision = frappe.get_doc("BOM Revision", name)
			values = retire_if_unused(revision)
			if values["retirement"] == RETIRED:
				revision.db_set(values)
				_record_retirement(revision)
			elif values["retirement_note"] != revision.retirement_note:
				revision.db_set(values)
		except Exception:
			frappe.db.rollback(save_point="truecraft_retire")
			frappe.log_error(title=_("Could not retire the BOM replaced by {0}").format(name))


def _record_retirement(revision):
	revision.add_comment("Info", _("Retired {0}: nothing uses it any more").format(revision.current_bom))


def _bold(text: str) -> str:
	return frappe.bold(escape_html(text))
