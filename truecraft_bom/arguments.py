"""Arguments of the app's REST methods, checked in one place.

``whitelist`` is ``frappe.whitelist`` with the app's own argument checks: a missing argument, or one whose type
does not fit the method's annotation, is refused with a translated ValidationError (HTTP 417) that names it,
instead of a TypeError (500) or Frappe's untranslated type error. Values that will be shown are escaped.
No ``from __future__ import annotations`` here: the checks read real annotations.
"""

import functools
import inspect
import json
import types
import typing
from decimal import Decimal
from fractions import Fraction

import frappe
from frappe import _
from frappe.utils import escape_html

TRUE = ("1", "true", "True", "yes")
FALSE = ("0", "false", "False", "no", "")


def whitelist(methods: list[str] | None = None):
	"""``@frappe.whitelist(methods=...)``, with every argument checked against the method's annotations first."""

	def decorate(fn):
		signature = inspect.signature(fn)

		@functools.wraps(fn)
		def checked(*args, **kwargs):
			try:
				bound = signature.bind(*args, **kwargs)
			except TypeError:
				missing = [
					name
					for position, (name, parameter) in enumerate(signature.parameters.items())
					if parameter.default is parameter.empty and name not in kwargs and position >= len(args)
				]
				frappe.throw(
					_("{0} is required").format(shown(missing[0] if missing else "?")),
					frappe.ValidationError,
					title=_("Invalid Argument"),
				)
			for name, value in list(bound.arguments.items()):
				parameter = signature.parameters[name]
				bound.arguments[name] = convert(name, value, parameter.annotation, parameter.default)
			return fn(*bound.args, **bound.kwargs)

		checked.__annotations__ = {}  # the checks above replace Frappe's (untranslated) type check
		return frappe.whitelist(methods=methods)(checked)

	return decorate


def convert(name: str, value, annotation, default=None):
	"""``value`` as the annotation wants it (a flag read from "0"/"1"/"true"...), or a ValidationError."""
	if annotation is inspect.Parameter.empty:
		return value
	if typing.get_origin(annotation) in (typing.Union, types.UnionType):
		options = typing.get_args(annotation)
	else:
		options = (annotation,)
	if value is None and (type(None) in options or default is None):
		return value
	for option in options:
		if option is str and isinstance(value, str):
			return value
		if (
			option is float
			and isinstance(value, int | float | Decimal | Fraction)
			and not isinstance(value, bool)
		):
			return value
		if option is bool:
			if isinstance(value, bool):
				return value
			if value in (0, 1) and isinstance(value, int):
				return bool(value)
			if isinstance(value, str) and value.strip() in TRUE + FALSE:
				return value.strip() in TRUE
		if option is list and isinstance(value, list):
			return value
		if option is dict and isinstance(value, dict):
			return value
	kinds = {str: _("text"), float: _("a number"), bool: _("0 or 1"), list: _("a list"), dict: _("an object")}
	wanted = _(" or ").join(kinds[option] for option in options if option in kinds)
	frappe.throw(
		_("{0} must be {1}, not {2}").format(shown(name), wanted, shown(_preview(value))),
		frappe.ValidationError,
		title=_("Invalid Argument"),
	)


def record(doctype: str, name) -> str:
	"""``name`` when a ``doctype`` record of that name exists; else DoesNotExistError (404), name escaped."""
	if not isinstance(name, str) or not name or not frappe.db.exists(doctype, name):
		frappe.throw(
			_("{0} {1} not found").format(_(doctype), shown(_preview(name))),
			frappe.DoesNotExistError,
		)
	return name


def json_list(value, name: str) -> list[dict]:
	"""A list of objects, given as a list or as its JSON text; anything else is a ValidationError."""
	if isinstance(value, str):
		try:
			value = json.loads(value) if value.strip() else []
		except ValueError:
			value = None
	if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
		frappe.throw(
			_("{0} must be a list of objects, as JSON").format(shown(name)),
			frappe.ValidationError,
			title=_("Invalid Argument"),
		)
	return value


def shown(value) -> str:
	"""A value in a message: escaped and in bold."""
	return frappe.bold(escape_html(str(value)))


def _preview(value) -> str:
	text = value if isinstance(value, str) else json.dumps(value, default=str)
	return text if len(text) <= 60 else text[:57] + "..."
