"""REST methods: ``/api/method/truecraft_bom.api.<name>``. Each needs read permission on Item and BOM.

Results are the engine's own (``as_dict``), with ``item`` named ``item_code`` as everywhere else in Frappe.
No ``from __future__ import annotations`` here: Frappe checks argument types from real annotations only.
"""

import json
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from truecraft_bom import accounts, engine, refresh, runway
from truecraft_bom.arguments import json_list, record, shown, whitelist
from truecraft_bom.capacity import DOCTYPE as CAPACITY
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import throw

READ = ["GET", "POST"]
# A record is stamped when written and visible when its transaction commits, a moment later: ``as_of`` lags
# the clock by this much so that a poll never skips a record (some may come twice).
AS_OF_MARGIN = timedelta(minutes=5)


@whitelist(methods=READ)
def explode(item_code: str, qty: float | str = 1, include_optional: bool = False):
	"""Leaf requirements (and scrap) of one build of ``qty`` units: ``{"item_code", "qty", "requirements"}``."""
	quantity = _check(qty)
	catalog = _catalog(item_code, stock=False)  # requirements do not depend on stock
	return _run(engine.explode, catalog, item_code, quantity, bool(include_optional))


@whitelist(methods=READ)
def capacity(item_code: str, warehouse: str | None = None, use_subassembly_stock: bool = False):
	"""How many can be made from available stock: ``{"item_code", "capacity", "limiting"}`` (null = unlimited)."""
	_check(warehouse=warehouse)
	catalog = _catalog(item_code, warehouse)
	return _run(engine.capacity, catalog, item_code, bool(use_subassembly_stock))


@whitelist(methods=READ)
def where_used(item_code: str):
	"""Every product whose build needs ``item_code``, at any depth: ``{"item_code", "used_in"}``."""
	_check()
	catalog = _catalog(item_code, stock=False)
	try:
		used_in = engine.where_used(catalog, item_code)
	except engine.EngineError as error:
		throw(error)
	if frappe.permissions.get_user_permissions(
		frappe.session.user
	):  # a restricted user sees only the products they may see
		used_in = [code for code in used_in if not (bom := bom_of(code)) or visible("BOM", bom)]
	return {"item_code": item_code, "used_in": list(used_in)}


@whitelist(methods=READ)
def cost(item_code: str, qty: float | str = 1):
	"""Cost roll-up of ``qty`` units: stock, consumable and non-stock parts, scrap, total and per unit."""
	quantity = _check(qty)
	catalog = _catalog(item_code)
	return _run(engine.cost, catalog, item_code, quantity)


@whitelist(methods=READ)
def tree(item_code: str, qty: float | str = 1, include_optional: bool = False):
	"""The BOM as a tree for display (the desk's Explode dialog): per-path quantities, nested ``children``."""
	quantity = _check(qty)
	catalog = _catalog(item_code, stock=False)
	try:
		return _rest(engine.tree(catalog, item_code, quantity, bool(include_optional)))
	except engine.EngineError as error:
		throw(error)


@whitelist(methods=READ)
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


@whitelist(methods=READ)
def capacities(modified_since: str | None = None, item_codes: str | list | None = None):
	"""Production Capacity records changed since ``modified_since`` (every record without it), for sales
	channels that cap their listings at capacity: ``{"as_of", "records": [...]}``; pass ``as_of`` back as the
	next ``modified_since``. Needs read permission on Production Capacity only (not on BOM)."""
	if not frappe.has_permission(CAPACITY, "read"):
		frappe.throw(
			_("You need read permission on {0} to use TrueCraft BOM").format(_(CAPACITY)),
			frappe.PermissionError,
		)
	filters = {}
	if modified_since:
		try:
			filters["modified"] = (">=", get_datetime(modified_since))
		except (ValueError, OverflowError, TypeError):
			frappe.throw(
				_("{0} is not a date and time; use a form such as 2026-11-23 09:30:00").format(
					frappe.bold(frappe.utils.escape_html(str(modified_since)))
				)
			)
	codes = _codes(item_codes)
	if codes is not None:
		filters["item_code"] = ("in", codes)
	as_of = now_datetime() - AS_OF_MARGIN
	rows = frappe.get_list(
		CAPACITY,
		filters=filters,
		fields=[
			"name",
			"item_code",
			"company",
			"warehouse",
			"capacity",
			"unlimited",
			"limiting",
			"material_value",
			"problem",
			"refreshed_at",
			"modified",
		],
		order_by="modified asc, name asc",
		limit_page_length=0,
	)
	return {
		"as_of": str(as_of),
		"records": [
			{
				**row,
				"capacity": None if row.unlimited else int(row.capacity or 0),
				"unlimited": bool(row.unlimited),
				"limiting": (row.limiting or "").split("\n") if row.limiting else [],
				"refreshed_at": str(row.refreshed_at) if row.refreshed_at else None,
				"modified": str(row.modified),
			}
			for row in rows
		],
	}


@whitelist(methods=READ)
def materials_at_reorder_level(filters=None):
	"""Number card "Materials At Reorder Level": how many materials have reached a reorder level (the Material
	Runway report's "At Reorder Level", site-wide); the card opens that report on the materials at risk."""
	if not frappe.get_cached_doc("Report", "Material Runway").is_permitted():
		frappe.throw(
			_("You need access to the {0} report to see this figure").format(_("Material Runway")),
			frappe.PermissionError,
		)
	found = runway.runways(runway.materials())
	return {
		"value": sum(1 for item in found.values() if item.under_reorder),
		"fieldtype": "Int",
		"route": ["query-report", "Material Runway"],
		"route_options": {"at_risk": 1},
	}


@whitelist(methods=["POST"])
def rebuild_capacity():
	"""Recompute every Production Capacity record in the background (long queue, in chunks)."""
	if not {"Stock Manager", "System Manager"} & set(frappe.get_roles()):
		frappe.throw(
			_("Only a Stock Manager or System Manager can rebuild Production Capacity"),
			frappe.PermissionError,
		)
	refresh.rebuild()
	return {"queued": True}


@whitelist(methods=["POST"])
def set_up_wip_account(company: str, warehouse: str | None = None):
	"""Link the company's Work In Progress warehouse to a Work In Progress account (created when missing)."""
	if not {"Accounts Manager", "System Manager"} & set(frappe.get_roles()):
		frappe.throw(
			_("Only an Accounts Manager or System Manager can set up the Work In Progress account"),
			frappe.PermissionError,
		)
	record("Company", company)
	if warehouse:
		record("Warehouse", warehouse)
	return accounts.set_up_wip_account(company, warehouse or None)


def _codes(item_codes) -> list[str] | None:
	"""``item_codes`` as a list: a JSON list, a comma-separated string or a list."""
	if item_codes is None or item_codes == "":
		return None
	if isinstance(item_codes, str):
		text = item_codes.strip()
		try:
			item_codes = json.loads(text) if text.startswith("[") else text.split(",")
		except ValueError:
			item_codes = None
	if not isinstance(item_codes, list | tuple):
		frappe.throw(_("item_codes must be a list of item codes, as JSON or separated by commas"))
	return [str(code).strip() for code in item_codes if str(code).strip()]


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
	if warehouse:
		record("Warehouse", warehouse)
	if qty is None:
		return None
	try:
		return engine.positive(qty)
	except engine.EngineError as error:
		throw(error)


def _catalog(item_code: str, warehouse: str | None = None, stock: bool = True) -> engine.Catalog:
	"""The catalog for the product (with stock when asked); the item must exist and its BOM be visible to the
	user. A user restricted to some companies (User Permission on Company) gets the stock of the BOM's company
	only, never another company's."""
	record("Item", item_code)
	company = stock_company(item_code, warehouse)
	catalog = load_catalog([item_code], warehouse, company, stock=stock)
	if item_code not in catalog.items:
		throw(engine.UnknownItemError(item_code))
	return catalog


def stock_company(item_code: str, warehouse: str | None = None) -> str | None:
	"""The company whose stock an answer about ``item_code`` may read: None (the whole site, or just
	``warehouse``) for a user without User Permissions on Company, else the company of the product's BOM.

	PermissionError (403) when the user's User Permissions exclude the product's BOM or the warehouse.
	"""
	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return None  # not restricted: nothing to refuse, the whole site (or the warehouse) counts
	bom = bom_of(item_code)
	if bom and not visible("BOM", bom):
		frappe.throw(
			_("You are not permitted to see how {0} is made").format(shown(item_code)), frappe.PermissionError
		)
	if warehouse and not visible("Warehouse", warehouse):
		frappe.throw(
			_("You are not permitted to see the stock of {0}").format(shown(warehouse)),
			frappe.PermissionError,
		)
	companies = allowed_companies()
	if warehouse or companies is None:
		return None
	company = frappe.db.get_value("BOM", bom, "company") if bom else None
	return company if company in companies else companies[0]


def bom_of(item_code: str) -> str | None:
	"""The default BOM the item is made by: its own, else its template's (a variant that only inherits)."""
	item = frappe.db.get_value("Item", item_code, ["default_bom", "variant_of"], as_dict=True)
	if not item:
		return None
	if item.default_bom or not item.variant_of:
		return item.default_bom
	return frappe.db.get_value("Item", item.variant_of, "default_bom")


def visible(doctype: str, name: str) -> bool:
	"""Whether the user's User Permissions (on Company and the like) let them see this record."""
	from frappe.permissions import has_user_permission

	if not frappe.permissions.get_user_permissions(frappe.session.user):
		return True
	return bool(has_user_permission(frappe.get_cached_doc(doctype, name)))


def allowed_companies() -> list[str] | None:
	"""The companies a user restricted by User Permission on Company may see; None: not restricted."""
	rows = frappe.permissions.get_user_permissions(frappe.session.user).get("Company")
	return [row.get("doc") for row in rows] if rows else None


# --- Sale warning (desk: Sales Order, Sales Invoice, Delivery Note before submit) ---------------------------


@whitelist(methods=READ)
def sellable(items: str | list, company: str | None = None, use_finished_stock: bool | str | None = None):
	"""For a sales form still being filled in: how many of each made-to-order line can be sold now.

	``items``: a JSON list of ``{item_code, warehouse, qty}`` (qty in stock UOM). Returns ``{"items": [...]}``
	in the same order, each row with ``made_to_order`` and, when it is, ``sellable`` (finished stock in the
	selling warehouse when TrueCraft Settings use it, plus what can be made from the materials warehouse;
	null = unlimited) and ``short`` (the product's lines in that warehouse ask for more). ``shortfalls`` lists
	materials that run short only when the lines are taken together. ``use_finished_stock``: override the
	setting (a Sales Invoice without Update Stock does not use finished stock).
	"""
	from frappe.utils import cint, flt

	from truecraft_bom.truecraft_bom.doctype.truecraft_settings.truecraft_settings import get_settings

	_check_seller()
	rows = [frappe._dict(row) for row in json_list(items, "items")]
	settings = get_settings()
	use_finished = (
		bool(settings.use_finished_stock) if use_finished_stock in (None, "") else cint(use_finished_stock)
	)
	codes = {row.get("item_code") for row in rows if row.get("item_code")}
	marked = set(
		frappe.get_all("Item", filters={"name": ("in", list(codes)), "tc_deplete_on_sale": 1}, pluck="name")
		if codes
		else []
	)
	# a user restricted to some companies checks sales of theirs only
	if company and not visible("Company", company):
		frappe.throw(_("You are not permitted to see {0}").format(shown(company)), frappe.PermissionError)
	companies = allowed_companies()
	if not company and companies:
		company = companies[0]
	for row in rows:
		if row.get("item_code") in marked:
			stock_company(row.item_code, row.get("warehouse") or settings.source_warehouse or None)
	# (product, selling warehouse) -> quantity, grouped by where the materials come from (as a sale does)
	sources: dict[str | None, dict[tuple, object]] = {}
	for row in rows:
		if row.get("item_code") in marked and flt(row.get("qty")) > 0:
			source = settings.source_warehouse or row.get("warehouse") or None
			key = (row.item_code, row.get("warehouse") or None)
			sold = sources.setdefault(source, {})
			sold[key] = sold.get(key, 0) + engine.exact(flt(row.qty))
	answers: dict[tuple, dict] = {}
	shortfalls = []
	for source, sold in sources.items():
		answers.update(_sellable_from(source, sold, company, use_finished, settings, shortfalls))
	result = []
	for row in rows:
		out = {"item_code": row.get("item_code"), "warehouse": row.get("warehouse"), "qty": row.get("qty")}
		out["made_to_order"] = row.get("item_code") in marked
		source = settings.source_warehouse or row.get("warehouse") or None
		answer = answers.get((source, row.get("item_code"), row.get("warehouse") or None))
		if answer:
			out.update(answer)
		result.append(out)
	return {
		"items": result,
		"shortfalls": shortfalls,
		"deplete_on_sale": bool(settings.deplete_on_sale),
	}


def _sellable_from(source, sold, company, use_finished, settings, shortfalls) -> dict[tuple, dict]:
	"""What each (product, selling warehouse) of one materials warehouse can sell; joint shortfalls added."""
	from truecraft_bom import stock
	from truecraft_bom.errors import message

	products = sorted({product for product, _warehouse in sold})
	catalog = load_catalog(products, source, None if source else company)
	finished = {}
	for product, warehouse in sold:
		level = stock.totals([product], warehouse, None if warehouse else company).get(product)
		finished[(product, warehouse)] = engine.exact(level.available) if use_finished and level else 0
	made: dict[str, tuple] = {}
	for product in products:
		try:
			made[product] = (engine.capacity(catalog, product).capacity, None)
		except engine.EngineError as error:
			made[product] = (0, message(error))
	answers = {}
	for (product, warehouse), qty in sold.items():
		built, error = made[product]
		most = None if built is None else finished[(product, warehouse)] + built
		answers[(source, product, warehouse)] = {
			"sellable": None if most is None else engine.to_decimal(most),
			"ordered": engine.to_decimal(qty),
			"short": most is not None and qty > most,
			"error": error,
		}
	if not any(answer["short"] or answer["error"] for answer in answers.values()):
		# each line fits on its own: do they fit together (shared materials)?
		lines = [
			engine.SaleLine(product, qty, finished[(product, wh)]) for (product, wh), qty in sold.items()
		]
		try:
			engine.plan_depletion(catalog, lines, settings.consumables_at_sale == "Deplete")
		except engine.ShortageError as error:
			shortfalls.extend(
				{"items": list(s.items), "needed": s.needed, "available": s.available, "warehouse": source}
				for s in error.shortfalls
			)
		except engine.EngineError:
			pass  # reported per line above
	return answers


def _check_seller():
	"""The sale warning: read permission on Item and on a sales document (or on BOM)."""
	if not frappe.has_permission("Item", "read"):
		frappe.throw(
			_("You need read permission on {0} to use TrueCraft BOM").format(_("Item")),
			frappe.PermissionError,
		)
	if not any(
		frappe.has_permission(doctype, "read")
		for doctype in ("Sales Order", "Sales Invoice", "Delivery Note", "BOM")
	):
		frappe.throw(_("You need read permission on a sales document to check it"), frappe.PermissionError)
