"""Engine errors raised as Frappe exceptions: the wording comes from ``truecraft_bom.messages``, translated,
with item codes escaped and in bold; the exception class decides the HTTP status REST callers get."""

from __future__ import annotations

from collections.abc import Mapping

import frappe
from frappe import _
from frappe.utils import escape_html

from truecraft_bom import engine, messages


class InsufficientMaterialsError(frappe.ValidationError):
	"""A sale needs more materials than there are: nothing is posted."""


class ReservedStockError(frappe.ValidationError):
	"""A document would take stock reserved for Work Orders: nothing is posted."""


_EXCEPTIONS = (
	(engine.UnknownItemError, frappe.DoesNotExistError),
	(engine.ShortageError, InsufficientMaterialsError),
)


def emphasize(value) -> str:
	return frappe.bold(escape_html(str(value)))


def message(error: engine.EngineError, context: Mapping | None = None) -> str:
	"""The error in the user's language, as HTML."""
	return messages.error_message(error, translate=_, emphasize=emphasize, html=True, context=context)


def problems_message(problems) -> str:
	"""Validation problems in the user's language, as an HTML list."""
	return messages.problems_message(problems, translate=_, emphasize=emphasize, html=True)


def throw(error: engine.EngineError, title: str | None = None, context: Mapping | None = None):
	"""Raise ``error`` to the user. ``context`` adds what only the caller knows (the warehouse, the
	document type) to the message's data."""
	exc = next((frappe_exc for kind, frappe_exc in _EXCEPTIONS if isinstance(error, kind)), None)
	frappe.throw(
		message(error, context),
		exc or frappe.ValidationError,
		title=title or messages.title(error, translate=_),
	)


def throw_reserved(conflicts, doctype: str | None = None):
	"""Refuse a document that would take stock Work Orders hold (``reservation.check_free``'s conflicts)."""
	frappe.throw(
		messages.reserved_message(conflicts, translate=_, emphasize=emphasize, html=True, doctype=doctype),
		ReservedStockError,
		title=_(messages.TITLES["reserved"]),
	)
