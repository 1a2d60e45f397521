"""Small factories for the bench suite: items, BOMs, stock, variants, users, Work Orders and REST requests as
a user, on the setup-wizard company."""

from __future__ import annotations

import threading
from unittest.mock import patch

import frappe
import frappe.app
from erpnext.controllers.item_variant import create_variant
from erpnext.stock.doctype.stock_entry.stock_entry_utils import make_stock_entry
from frappe.tests.utils import FrappeTestCase
from frappe.utils import flt

from truecraft_bom.catalog import invalidate
from truecraft_bom.engine.rules import LINE_RULES


class TrueCraftTestCase(FrappeTestCase):
	"""Each test runs inside a savepoint that is rolled back after it: tests never see each other's data."""

	def setUp(self):
		super().setUp()
		frappe.set_user("Administrator")
		frappe.db.savepoint("truecraft_test")

	def tearDown(self):
		frappe.db.rollback(save_point="truecraft_test")
		# a savepoint rollback runs no rollback callbacks: drop structure cached from the undone rows
		invalidate()
		frappe.set_user("Administrator")
		super().tearDown()


def company() -> str:
	return (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name")[0]
	)


def warehouse(name: str = "TrueCraft Stores") -> str:
	"""A leaf warehouse of the test company (created once)."""
	abbr = frappe.get_cached_value("Company", company(), "abbr")
	full = f"{name} - {abbr}"
	if not frappe.db.exists("Warehouse", full):
		parent = frappe.db.get_value(
			"Warehouse", {"company": company(), "is_group": 1}, "name", order_by="lft"
		)
		frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": name, "company": company(), "parent_warehouse": parent}
		).insert(ignore_permissions=True)
	return full


def make_item(code: str, *, stock_uom: str = "Nos", is_stock: bool = True, rate: float = 0, **fields) -> str:
	"""An item (stock UOM Nos = whole numbers; use "Kg" for fractional materials)."""
	if frappe.db.exists("Item", code):
		return code
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": "All Item Groups",
			"stock_uom": stock_uom,
			"is_stock_item": 1 if is_stock else 0,
			"include_item_in_manufacturing": 1,
			"valuation_rate": rate,
			"standard_rate": rate,
			"opening_stock": 0,
			**fields,
		}
	)
	doc.insert(ignore_permissions=True)
	return code


def make_bom(item: str, lines: list[dict], *, quantity: float = 1, submit: bool = True, **fields):
	"""A default BOM for ``item``. Each line: {"item_code", "qty", ...custom fields such as tc_attrition}."""
	doc = frappe.get_doc(
		{
			"doctype": "BOM",
			"item": item,
			"quantity": quantity,
			"company": company(),
			"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			"is_default": 1,
			"is_active": 1,
			"rm_cost_as_per": "Valuation Rate",
			"items": [{"qty": 1, **line} for line in lines],
			**fields,
		}
	)
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def receive(item: str, qty: float, *, rate: float = 1, to_warehouse: str | None = None):
	"""Put ``qty`` of ``item`` into stock with a Material Receipt."""
	return make_stock_entry(
		item_code=item, qty=qty, to_warehouse=to_warehouse or warehouse(), rate=rate, company=company()
	)


def stock(item: str, wh: str | None = None) -> float:
	return flt(frappe.db.get_value("Bin", {"item_code": item, "warehouse": wh or warehouse()}, "actual_qty"))


def make_attribute(name: str, values: list[str]) -> str:
	if not frappe.db.exists("Item Attribute", name):
		frappe.get_doc(
			{
				"doctype": "Item Attribute",
				"attribute_name": name,
				"item_attribute_values": [{"attribute_value": v, "abbr": v.upper()} for v in values],
			}
		).insert(ignore_permissions=True)
	return name


def make_template(code: str, attributes: list[str], **fields) -> str:
	return make_item(code, has_variants=1, attributes=[{"attribute": a} for a in attributes], **fields)


def make_variant(template: str, values: dict[str, str]) -> str:
	doc = create_variant(template, values)
	existing = frappe.db.get_value("Item", {"variant_of": template, "item_code": doc.item_code})
	if existing:
		return existing
	doc.insert(ignore_permissions=True)
	return doc.name


def make_alternative(item: str, alternative: str, two_way: bool = False):
	for code in (item, alternative) if two_way else (item,):
		frappe.db.set_value("Item", code, "allow_alternative_item", 1)
	return frappe.get_doc(
		{
			"doctype": "Item Alternative",
			"item_code": item,
			"alternative_item_code": alternative,
			"two_way": int(two_way),
		}
	).insert(ignore_permissions=True)


def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.roles = []
	user.add_roles(*roles)
	return email


def issue(item: str, qty: float, *, from_warehouse: str | None = None):
	"""Take ``qty`` of ``item`` out of stock with a Material Issue."""
	return make_stock_entry(
		item_code=item, qty=qty, from_warehouse=from_warehouse or warehouse(), company=company()
	)


def set_stock(item: str, qty: float, wh: str | None = None):
	"""Bring the item's stock in the warehouse to exactly ``qty``."""
	difference = flt(qty) - stock(item, wh)
	if difference > 0:
		receive(item, difference, to_warehouse=wh)
	elif difference < 0:
		issue(item, -difference, from_warehouse=wh)


def build(prefix: str, scenario: dict) -> dict[str, str]:
	"""Create the items, BOMs and stock of an engine scenario as ERPNext documents.

	Item codes are prefixed (returned mapping: scenario code -> ERPNext code). Items with ``whole_number`` use
	the Nos UOM, others Kg. Lines support qty and every line rule (``engine.rules.LINE_RULES``).
	"""
	codes = {code: f"{prefix}{code}" for code in scenario["items"]}
	for code, fields in scenario["items"].items():
		make_item(
			codes[code],
			stock_uom="Nos" if fields.get("whole_number") else "Kg",
			is_stock=fields.get("is_stock", True),
			rate=float(fields.get("rate", 0)),
		)
	for product, bom in scenario.get("boms", {}).items():
		lines = []
		for line in bom["lines"]:
			row = {"item_code": codes[line["item"]], "qty": float(line.get("qty", 1))}
			for rule in LINE_RULES:
				if rule.name in line:
					row[rule.field] = line[rule.name]
			lines.append(row)
		make_bom(codes[product], lines, quantity=float(bom.get("quantity", 1)))
	for code, fields in scenario["items"].items():
		if fields.get("stock") and fields.get("is_stock", True):
			receive(codes[code], float(fields["stock"]), rate=float(fields.get("rate") or 1))
	return codes


def customer(name: str = "TrueCraft Test Customer") -> str:
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0})
				or "All Customer Groups",
				"territory": frappe.db.get_value("Territory", {"is_group": 0}) or "All Territories",
			}
		).insert(ignore_permissions=True)
	return name


def supplier(name: str = "TrueCraft Test Supplier") -> str:
	if not frappe.db.exists("Supplier", name):
		frappe.get_doc(
			{
				"doctype": "Supplier",
				"supplier_name": name,
				"supplier_group": frappe.db.get_value("Supplier Group", {"is_group": 0})
				or "All Supplier Groups",
			}
		).insert(ignore_permissions=True)
	return name


def make_purchase_receipt(item_code: str, qty: float, rate: float, *, wh: str | None = None):
	"""A submitted Purchase Receipt of ``qty`` of ``item_code``."""
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"supplier": supplier(),
			"company": company(),
			"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			"items": [
				{
					"item_code": item_code,
					"qty": qty,
					"received_qty": qty,
					"rate": rate,
					"warehouse": wh or warehouse(),
				}
			],
		}
	)
	doc.insert(ignore_permissions=True)
	doc.submit()
	return doc


def _selling_row(item_code: str, qty: float, rate: float, wh: str | None) -> dict:
	values = frappe.get_cached_value(
		"Company",
		company(),
		["default_income_account", "cost_center", "default_expense_account"],
		as_dict=True,
	)
	return {
		"item_code": item_code,
		"qty": qty,
		"rate": rate,
		"warehouse": wh or warehouse(),
		"income_account": values.default_income_account,
		"cost_center": values.cost_center,
		"expense_account": values.default_expense_account,
	}


def make_sales_invoice(lines, *, update_stock: int = 1, submit: bool = True, wh: str | None = None):
	"""A Sales Invoice for ``lines`` [(item_code, qty, rate)], stock updated by default."""
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer(),
			"company": company(),
			"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			"debit_to": frappe.get_cached_value("Company", company(), "default_receivable_account"),
			"update_stock": update_stock,
			"items": [_selling_row(code, qty, rate, wh) for code, qty, rate in lines],
		}
	)
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def make_delivery_note(lines, *, submit: bool = True, wh: str | None = None):
	doc = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"customer": customer(),
			"company": company(),
			"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			"items": [_selling_row(code, qty, rate, wh) for code, qty, rate in lines],
		}
	)
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def stock_ledger(voucher_type: str, voucher_no: str) -> dict[str, float]:
	"""Net quantity change per item posted by a voucher (cancelled entries excluded)."""
	rows = frappe.get_all(
		"Stock Ledger Entry",
		filters={"voucher_type": voucher_type, "voucher_no": voucher_no, "is_cancelled": 0},
		fields=["item_code", "actual_qty"],
	)
	result: dict[str, float] = {}
	for row in rows:
		result[row.item_code] = flt(result.get(row.item_code, 0) + row.actual_qty, 6)
	return result


def general_ledger(voucher_type: str, voucher_no: str) -> dict[str, float]:
	"""Net debit - credit per account posted by a voucher (cancelled entries excluded)."""
	rows = frappe.get_all(
		"GL Entry",
		filters={"voucher_type": voucher_type, "voucher_no": voucher_no, "is_cancelled": 0},
		fields=["account", "debit", "credit"],
	)
	result: dict[str, float] = {}
	for row in rows:
		result[row.account] = flt(result.get(row.account, 0) + row.debit - row.credit, 6)
	return {account: value for account, value in result.items() if value}


def set_settings(**values):
	settings = frappe.get_single("TrueCraft Settings")
	settings.update(values)
	settings.save(ignore_permissions=True)


# The soap maker with capacity in mind: three soaps and a set of two share lavender oil and coconut oil; a gift
# box is made from an unrelated material; a service needs only labour. With START in stock: soap 53 (oil),
# dream soap 100 (coconut), set 35 (oil), gift 20 (boxes), service unlimited.
SOAP_MATERIALS = ("CAP-LAV-OIL", "CAP-COCONUT", "CAP-WRAP", "CAP-BOX", "CAP-LABOUR")
SOAP_PRODUCTS = ("CAP-SOAP", "CAP-DREAM", "CAP-SET", "CAP-GIFT", "CAP-SERVICE")
SOAP_RATES = {"CAP-LAV-OIL": 0.9, "CAP-COCONUT": 0.12, "CAP-WRAP": 0.1, "CAP-BOX": 1.5}
SOAP_START = {"CAP-LAV-OIL": 65, "CAP-COCONUT": 800, "CAP-WRAP": 500, "CAP-BOX": 20}


def make_soap_catalog():
	lav, coconut, wrap, box, labour = SOAP_MATERIALS
	soap, dream, gift_set, gift, service = SOAP_PRODUCTS
	for code in (lav, coconut):
		make_item(code, stock_uom="Kg", rate=SOAP_RATES[code])
	for code in (wrap, box):
		make_item(code, rate=SOAP_RATES[code])
	make_item(labour, stock_uom="Hour", is_stock=False, rate=2.5)
	for code in SOAP_PRODUCTS:
		make_item(code, tc_deplete_on_sale=1)
	make_bom(
		soap,
		[
			{"item_code": lav, "qty": 1.2, "tc_attrition": 2},  # 1.224 a bar
			{"item_code": coconut, "qty": 8},
			{"item_code": wrap, "qty": 1},
			{"item_code": labour, "qty": 0.1},
		],
	)
	make_bom(dream, [{"item_code": lav, "qty": 0.6}, {"item_code": coconut, "qty": 8}, {"item_code": wrap}])
	make_bom(gift_set, [{"item_code": soap, "qty": 1}, {"item_code": dream, "qty": 1}])
	make_bom(gift, [{"item_code": box, "qty": 1}])
	make_bom(service, [{"item_code": labour, "qty": 1}])
	for code, qty in SOAP_START.items():
		receive(code, qty, rate=SOAP_RATES[code])
	set_settings(
		deplete_on_sale=1,
		use_finished_stock=1,
		consumables_at_sale="Do not deplete",
		source_warehouse=None,
		non_stock_expense_account=frappe.get_cached_value(
			"Company", company(), "expenses_included_in_valuation"
		),
	)


def hand_over_to_queue():
	"""What a commit runs for the capacity refresh: the noted changes join the queue. Tests have no worker:
	``refresh.drain()`` then runs the job."""
	from truecraft_bom import refresh

	assert refresh._flush in frappe.db.after_commit._functions, "nothing was handed to the commit"
	refresh._flush()


def capacity_records(products) -> dict[str, frappe._dict]:
	"""Company-wide Production Capacity records of ``products`` by item."""
	return {
		row.item_code: row
		for row in frappe.get_all(
			"Production Capacity",
			filters={"item_code": ("in", products), "warehouse": ("is", "not set")},
			fields=["name", "item_code", "capacity", "unlimited", "limiting", "material_value", "modified"],
		)
	}


def make_work_order(item: str, bom: str, qty: float = 1, *, submit: bool = True):
	"""A Work Order for ``qty`` of ``item`` on ``bom``; submitting it reserves the materials for production."""
	doc = frappe.get_doc(
		{
			"doctype": "Work Order",
			"production_item": item,
			"bom_no": bom,
			"qty": qty,
			"company": company(),
			"wip_warehouse": warehouse("TrueCraft WIP"),
			"fg_warehouse": warehouse(),
			"source_warehouse": warehouse(),
		}
	)
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def api_token(user: str) -> str:
	"""An ``Authorization`` header value for ``user`` (a new API secret; the key is kept when it has one)."""
	secret = frappe.generate_hash(length=15)
	doc = frappe.get_doc("User", user)
	doc.api_key = doc.api_key or frappe.generate_hash(length=15)
	doc.api_secret = secret
	doc.save(ignore_permissions=True)
	return f"token {doc.api_key}:{secret}"


def made_to_order_soap(prefix: str, oil_in_stock: float, rate: float = 1) -> tuple[str, str]:
	"""(oil, soap): a soap made at sale from one unit of oil, with ``oil_in_stock`` received; sales deplete."""
	run = frappe.generate_hash(length=6).upper()
	oil, soap = f"{prefix}-OIL-{run}", f"{prefix}-SOAP-{run}"
	make_item(oil, stock_uom="Kg", rate=rate)
	make_item(soap, tc_deplete_on_sale=1)
	make_bom(soap, [{"item_code": oil, "qty": 1}])
	receive(oil, oil_in_stock, rate=rate)
	set_settings(deplete_on_sale=1, use_finished_stock=1, source_warehouse=None)
	return oil, soap


def cancel_submitted(doctype: str, names) -> None:
	"""Cancel those of ``names`` that are submitted, in that order, and commit (tests that commit clean up)."""
	for name in names:
		doc = frappe.get_doc(doctype, name)
		if doc.docstatus == 1:
			doc.cancel()
	frappe.db.commit()


class Rest:
	"""Requests to this site's REST API as ``user`` (API key authentication), through Frappe's WSGI app.

	A request runs on its own database connection, as in production: it sees only committed rows and commits
	its own work. So each request commits the caller's transaction first, and starts a fresh one after it
	(to see what the request committed). Tests that use it leave committed data behind: give it unique names.
	"""

	def __init__(self, user: str):
		self.user = user
		self.headers = {
			"Authorization": api_token(user),
			"X-Frappe-Site-Name": frappe.local.site,
			"Accept": "application/json",
		}

	def get(self, path: str, **params):
		return self.request("GET", path, query_string=params)

	def post(self, path: str, data: dict):
		return self.request("POST", path, json=data)

	def put(self, path: str, data: dict):
		return self.request("PUT", path, json=data)

	def method(self, name: str, **data):
		"""POST /api/method/<name>."""
		return self.post(f"/api/method/{name}", data)

	def resource(self, doctype: str, name: str) -> str:
		return f"/api/resource/{doctype}/{name}"

	def request(self, method: str, path: str, **kwargs):
		from frappe.utils import get_test_client

		frappe.db.commit()
		result = {}
		sites_path = frappe.local.sites_path

		def run():
			with patch.object(frappe.app, "_sites_path", sites_path):
				client = get_test_client(use_cookies=False)
				result["response"] = client.open(path, method=method, headers=self.headers, **kwargs)

		thread = threading.Thread(target=run)
		thread.start()
		thread.join(timeout=300)
		frappe.db.commit()
		return result["response"]


def whitelisted_methods() -> dict[str, object]:
	"""Every ``@frappe.whitelist`` function of the app, by dotted path, found by importing all its modules:
	a new method shows up here (and fails the tables of test_bad_input and test_permissions until it has an
	entry there)."""
	import importlib
	import pkgutil

	import truecraft_bom

	for module in pkgutil.walk_packages(truecraft_bom.__path__, "truecraft_bom."):
		if ".tests" not in module.name and not module.name.endswith(".__main__"):
			importlib.import_module(module.name)
	return {
		f"{fn.__module__}.{fn.__qualname__}": fn
		for fn in frappe.whitelisted
		if getattr(fn, "__module__", "").startswith("truecraft_bom.")
	}


def other_company(name: str = "TrueCraft Other Co", abbr: str = "TCOC") -> str:
	"""A second company (same currency and country as the test company), created once; commits are the
	caller's."""
	if not frappe.db.exists("Company", name):
		main = frappe.get_doc("Company", company())
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": name,
				"abbr": abbr,
				"default_currency": main.default_currency,
				"country": main.country,
				"create_chart_of_accounts_based_on": "Standard Template",
				"chart_of_accounts": "Standard",
			}
		).insert(ignore_permissions=True)
	return name


def company_warehouse(name: str) -> str:
	"""A leaf warehouse of company ``name``."""
	return frappe.db.get_value("Warehouse", {"company": name, "is_group": 0}, "name", order_by="name")


class Guest(Rest):
	"""Requests without credentials."""

	def __init__(self):
		self.user = "Guest"
		self.headers = {"X-Frappe-Site-Name": frappe.local.site, "Accept": "application/json"}


def make_stock_entry_in(item: str, qty: float, wh: str, company_name: str, rate: float = 1):
	"""A Material Receipt of ``qty`` of ``item`` into ``wh`` of company ``company_name``."""
	return make_stock_entry(item_code=item, qty=qty, to_warehouse=wh, rate=rate, company=company_name)
