"""BOM events: refuse a BOM whose lines break the app's rules, with every problem in one message."""

from __future__ import annotations

import frappe
from frappe import _

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import problems_message


def validate(doc, method=None):
	"""Check the BOM (as it would stand if it were its item's default) and everything it reaches and feeds."""
	catalog = load_catalog([doc.item], boms={doc.item: doc}, stock=False)
	problems = engine.validate(catalog, [doc.item])
	if problems:
		frappe.throw(problems_message(problems), title=_("This BOM cannot be saved"))
