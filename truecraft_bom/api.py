"""REST methods: ``/api/method/truecraft_bom.api.<name>``. Each needs read permission on Item and BOM.

No ``from __future__ import annotations`` here: Frappe checks argument types from real annotations only.
"""

import frappe
from frappe import _

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.engine.quantity import NotANumber, exact
from truecraft_bom.messages import throw_engine_error


@frappe.whitelist(methods=["GET", "POST"])
def explode(
	item_code: str, qty: float | str = 1, warehouse: str | None = None, include_optional: bool = False
):
	"""Leaf requirements of one build of ``qty`` units: ``{"item_code", "qty", "requirements": [...]}``."""
	quantity = _arguments(qty, warehouse)
	catalog = _catalog(item_code, warehouse, stock=False)  # requirements do not depend on stock
	try:
		result = engine.explode(catalog, item_code, quantity, bool(include_optional))
	except engine.EngineError as error:
		throw_engine_error(error)
	return {
		"item_code": item_code,
		"qty": result.qty,
		"requirements": [
			{"item_code": r.item, "qty": r.qty, "consumable": r.consumable, "non_stock": r.non_stock}
			for r in result.requirements
		],
	}


@frappe.whitelist(methods=["GET", "POST"])
def capacity(item_code: str, warehouse: str | None = None, use_subassembly_stock: bool = False):
	"""How many can be made from available stock: ``{"item_code", "capacity", "limiting"}`` (null = unlimited)."""
	_arguments(None, warehouse)
	catalog = _catalog(item_code, warehouse)
	try:
		result = engine.capacity(catalog, item_code, bool(use_subassembly_stock))
	except engine.EngineError as error:
		throw_engine_error(error)
	return {"item_code": item_code, "capacity": result.capacity, "limiting": list(result.limiting)}


@frappe.whitelist(methods=["GET", "POST"])
def where_used(item_code: str):
	"""Every product whose build needs ``item_code``, at any depth: ``{"item_code", "used_in"}``."""
	_arguments(None, None)
	catalog = _catalog(item_code, None, stock=False)
	try:
		used_in = engine.where_used(catalog, item_code)
	except engine.EngineError as error:
		throw_engine_error(error)
	return {"item_code": item_code, "used_in": list(used_in)}


@frappe.whitelist(methods=["GET", "POST"])
def cost(item_code: str, qty: float | str = 1):
	"""Cost roll-up of ``qty`` units: stock, consumable and non-stock parts, total and per unit."""
	quantity = _arguments(qty, None)
	catalog = _catalog(item_code, None)
	try:
		result = engine.cost(catalog, item_code, quantity)
	except engine.EngineError as error:
		throw_engine_error(error)
	return {
		"item_code": item_code,
		"qty": result.qty,
		"stock": result.stock,
		"consumable": result.consumable,
		"non_stock": result.non_stock,
		"total": result.total,
		"per_unit": result.per_unit,
	}


@frappe.whitelist(methods=["GET", "POST"])
def tree(item_code: str, qty: float | str = 1, include_optional: bool = False):
	"""The BOM tree for display (desk "Explode" dialog): per-path quantities, nested ``children``."""
	quantity = _arguments(qty, None)
	catalog = _catalog(item_code, None, stock=False)
	try:
		return engine.tree(catalog, item_code, quantity, bool(include_optional))
	except engine.EngineError as error:
		throw_engine_error(error)


@frappe.whitelist(methods=["GET"])
def item_capacity(item_code: str):
	"""For the Item dashboard: capacity when the item can be built, else ``{"buildable": false}``."""
	_arguments(None, None)
	catalog = _catalog(item_code, None)
	try:
		result = engine.capacity(catalog, item_code)
	except engine.NoBomError:
		return {"item_code": item_code, "buildable": False}
	except engine.EngineError as error:
		throw_engine_error(error)
	return {
		"item_code": item_code,
		"buildable": True,
		"capacity": result.capacity,
		"limiting": list(result.limiting),
	}


def _arguments(qty, warehouse):
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
		quantity = exact(qty)
	except NotANumber:
		quantity = None
	if quantity is None or quantity <= 0:
		frappe.throw(
			_("Quantity must be a number above zero, not {0}").format(frappe.bold(qty)),
			title=_("Invalid Quantity"),
		)
	return quantity


def _catalog(item_code: str, warehouse: str | None, stock: bool = True) -> engine.Catalog:
	"""The catalog for the item (with stock when asked); the item must exist."""
	catalog = load_catalog([item_code] if item_code else [], warehouse, stock=stock)
	if not item_code or item_code not in catalog.items:
		frappe.throw(_("Item {0} not found").format(frappe.bold(item_code)), frappe.DoesNotExistError)
	return catalog
