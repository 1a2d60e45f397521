"""With TrueCraft Settings' *Require Approved BOM Revision* on, an item's default BOM changes only when an
approved BOM Revision is released: making a BOM default, deactivating or cancelling the default, and
submitting another BOM for an item that has a default are refused anywhere else."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, escape_html


class RevisionRequiredError(frappe.ValidationError):
	"""A default BOM change outside a released BOM Revision."""


def allow(bom, revision: str):
	"""Let ``revision``'s release change ``bom`` (a BOM document about to be saved)."""
	bom.flags.tc_revision = revision


def before_submit(bom):
	if not _guarded(bom):
		return
	default = _default_bom(bom.item)
	if default and default != bom.name:
		_refuse(
			_(
				"{0} already has a default BOM, {1}: a new BOM for it goes live by releasing a BOM Revision"
			).format(_bold(bom.item), _bold(default))
		)


def before_update_after_submit(bom):
	if not _guarded(bom):
		return
	before = bom.get_doc_before_save()
	if before is None:
		return
	was_default = before.is_default and before.is_active
	is_default = bom.is_default and bom.is_active
	if is_default and not was_default:
		_refuse(
			_("Making {0} the default BOM of {1} needs a released BOM Revision").format(
				_bold(bom.name), _bold(bom.item)
			)
		)
	if was_default and not is_default:
		_refuse(
			_(
				"{0} is the default BOM of {1}: it is deactivated or replaced by releasing a BOM Revision"
			).format(_bold(bom.name), _bold(bom.item))
		)


def before_cancel(bom):
	if _guarded(bom) and bom.is_default and bom.is_active:
		_refuse(
			_("{0} is the default BOM of {1}: it is replaced by releasing a BOM Revision").format(
				_bold(bom.name), _bold(bom.item)
			)
		)


def _guarded(bom) -> bool:
	return not bom.flags.get("tc_revision") and bool(
		cint(frappe.db.get_single_value("TrueCraft Settings", "require_approved_revision"))
	)


def _default_bom(item: str) -> str | None:
	return frappe.db.get_value("BOM", {"item": item, "is_default": 1, "is_active": 1, "docstatus": 1}, "name")


def _bold(text: str) -> str:
	return frappe.bold(escape_html(text))


def _refuse(message: str):
	link = '<a href="/app/bom-revision">{}</a>'.format(_("BOM Revision"))
	frappe.throw(
		"{}. {}".format(
			message,
			_(
				"TrueCraft Settings require an approved revision: start one with New Revision on the default BOM, or open {0}."
			).format(link),
		),
		RevisionRequiredError,
		title=_("Approved BOM Revision Required"),
	)
