"""REST methods: ``/api/method/truecraft_bom.api.<name>``. Each needs read permission on Item and BOM.

Results are the engine's own (``as_dict``), with ``item`` named ``item_code`` as everywhere else in Frappe.
No ``from __future__ import annotations`` here: Frappe checks argument types from real annotations only.
"""

import frappe
from frappe import _

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import throw

READ = ["GET", "POST"]


@frappe.whitelist(methods=READ)
def explode(item_code: str, qty: float | str = 1, include_optional: bool = False):
	"""Leaf requirements (and scrap) of one build of ``qty`` units: ``{"item_code", "qty", "requirements"}``."""
	quantity = _check(qty)
	catalog = _catalog(item_code, stock=False)  # requirements do not depend on stock
	return _run(engine.explode, catalog, item_code, quantity, bool(include_optional))


@frappe.whitelist(methods=READ)
def capacity(item_code: str, warehouse: str | None = None, use_subassembly_stock: bool = False):
	"""How many can be made from available stock: ``{"item_code", "capacity", "limiting"}`` (null = unlimited)."""
	_check(warehouse=warehouse)
	catalog = _catalog(item_code, warehouse)
	return _run(engine.capacity, catalog, item_code, bool(use_subassembly_stock))


@frappe.whitelist(methods=READ)
def where_used(item_code: str):
	"""Every product whose build needs ``item_code``, at any depth: ``{"item_code", "used_in"}``."""
	_check()
	catalog = _catalog(item_code, stock=False)
	try:
		used_in = engine.where_used(catalog, item_code)
	except engine.EngineError as error:
		throw(error)
	return {"item_code": item_code, "used_in": list(used_in)}


@frappe.whitelist(methods=READ)
def cost(item_code: str, qty: float | str = 1):
	"""Cost roll-up of ``qty`` units: stock, consumable and non-stock parts, scrap, total and per unit."""
	quantity = _check(qty)
	catalog = _catalog(item_code)
	return _run(engine.cost, catalog, item_code, quantity)


@frappe.whitelist(methods=READ)
def tree(item_code: str, qty: float | str = 1, include_optional: bool = False):
	"""The BOM as a tree for display (the desk's Explode dialog): per-path quantities, nested ``children``."""
	quantity = _check(qty)
	catalog = _catalog(item_code, stock=False)
	try:
		return _rest(engine.tree(catalog, item_code, quantity, bool(include_optional)))
	except engine.EngineError as error:
		throw(error)


@frappe.whitelist(methods=READ)
def item_capacity(item_code: str):
	"""For the Item dashboard: capacity when the item can be built, else ``{"buildable": false}``."""
	_check()
	catalog = _catalog(item_code)
	try:
		result = engine.capacity(catalog, item_code)
	except engine.NoBomError:
		return {"item_code": item_code, "buildable": False}
	except engine.EngineError as error:
		throw(error)
	return {"buildable": True, **_rest(result.as_dict())}


def _run(operation, catalog, *args):
	try:
		return _rest(operation(catalog, *args).as_dict())
	except engine.EngineError as error:
		throw(error)


def _rest(value):
	"""An engine result for REST: ``item`` keys become ``item_code`` at every level."""
	if isinstance(value, dict):
		return {("item_code" if key == "item" else key): _rest(item) for key, item in value.items()}
	if isinstance(value, list | tuple):
		return [_rest(item) for item in value]
	return value


def _check(qty=None, warehouse: str | None = None):
	"""Permission and argument checks shared by every method; returns the quantity as an exact number."""
	for doctype in ("Item", "BOM"):
		if not frappe.has_permission(doctype, "read"):
			frappe.throw(
				_("You need read permission on {0} to use TrueCraft BOM").format(_(doctype)),
				frappe.PermissionError,
			)
	if warehouse and not frappe.db.exists("Warehouse", warehouse):
		frappe.throw(_("Warehouse {0} not found").format(frappe.bold(warehouse)), frappe.DoesNotExistError)
	if qty is None:
		return None
	try:
		return engine.positive(qty)
	except engine.EngineError as error:
		throw(error)


def _catalog(item_code: str, warehouse: str | None = None, stock: bool = True) -> engine.Catalog:
	"""The catalog for the item (with stock when asked); the item must exist."""
	catalog = load_catalog([item_code] if item_code else [], warehouse, stock=stock)
	if not item_code or item_code not in catalog.items:
		throw(engine.UnknownItemError(item_code or ""))
	return catalog
