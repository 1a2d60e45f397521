"""BOM events: refuse a BOM whose lines break the app's rules, with every problem in one message; keep BOM
revisions in step (``truecraft_bom.revisions``)."""

from __future__ import annotations

import frappe
from frappe import _

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import problems_message
from truecraft_bom.revisions import checksum, guard
from truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision import refresh_revisions_of


def validate(doc, method=None):
	"""Check the BOM (as it would stand if it were its item's default) and everything it reaches and feeds."""
	catalog = load_catalog([doc.item], boms={doc.item: doc}, stock=False)
	problems = engine.validate(catalog, [doc.item])
	if problems:
		frappe.throw(problems_message(problems), title=_("This BOM cannot be saved"))


def on_update(doc, method=None):
	refresh_revisions_of(doc)


def before_submit(doc, method=None):
	guard.before_submit(doc)


def before_update_after_submit(doc, method=None):
	guard.before_update_after_submit(doc)


def before_cancel(doc, method=None):
	guard.before_cancel(doc)


def onload(doc, method=None):
	"""The form warns when a released BOM's effective lines drifted from what its revision approved."""
	doc.set_onload("tc_revision_drift", checksum.drift(doc))
