"""A living demo shop on a site, built in about a minute and removed without a trace.

    bench --site SITE execute truecraft_bom.demo.setup      # build it (idempotent: a second run changes nothing)
    bench --site SITE execute truecraft_bom.demo.teardown   # cancel and delete all of it

Three makers share the site's default company and one warehouse, "TrueCraft Demo Stores - <abbr>":

- the soap maker: lavender, rose and eucalyptus bars sharing coconut oil and shea butter, 63.6 oz of lavender oil
  at 1.2 oz a bar (so "Can make 53"), labour as a non-stock line, wraps and labels as consumables, and a gift kit
  of the three soaps as a multi-level BOM; the soaps are made to order and two sales have taken materials;
- the pottery: a mug template in 8 forms x 15 glazes (120 variants) whose template BOM's inherited lines
  resolve, by attribute, to the bisque body of the mug's form and the glaze of its glaze;
- a small electronics assembly: a speaker over a mainboard over a circuit board, two microcontrollers that are
  Item Alternatives, an optional gift box and consumable threadlock and solder paste.

Every record is named ``DEMO-...`` (items), ``DEMO ...`` (customers) or after the demo warehouse; the demo user
``maker@truecraft.example`` and the counter-staff user ``seller@truecraft.example`` (Sales User only: capacity
but not recipes) log in with ``DEMO_PASSWORD``. Setup ends with the products' Production Capacity records. The
browser suite (``browser/``) runs on this demo.
"""

from __future__ import annotations

import frappe
from erpnext.controllers.item_variant import create_variant
from frappe import _
from frappe.utils import flt
from frappe.utils.password import update_password
from frappe.utils.synchronization import filelock

PREFIX = "DEMO-"
WAREHOUSE = "TrueCraft Demo Stores"
USER = "maker@truecraft.example"
DEMO_PASSWORD = "truecraft-demo-maker"  # a demo account on a test site; change it anywhere else
ROLES = (
	"System Manager",
	"Stock Manager",
	"Stock User",
	"Manufacturing Manager",
	"Manufacturing User",
	"Sales Manager",
	"Sales User",
	"Item Manager",
	"Accounts Manager",
	"Accounts User",
)
# Counter staff: sells, and sees how many can be made, but not the recipes (BOM) behind it.
SELLER = "seller@truecraft.example"
SELLER_ROLES = ("Sales User",)
CUSTOMERS = ("DEMO Market Stall", "DEMO Online Shop")
LOCK = "truecraft_demo"  # one setup or teardown at a time (browser runs and the bench suite share a site)

# The figures the desk shows (the browser suite and test_demo check them).
LAVENDER_CAPACITY = 53  # 63.6 oz of lavender oil / 1.2 oz a bar
MUG = "DEMO-MUG-CLASSIC-CELADON"
MUG_CAPACITY = 20  # 3.3 kg of celadon glaze / (0.15 kg a mug + 10 % attrition)

# --- the catalogue ---------------------------------------------------------------------------------------
# code: (name, group, stock UOM, valuation rate, fields). Non-stock items have "is_stock_item": 0.
RAW, PRODUCT, SUB, SERVICE, CONSUMABLE = (
	"Raw Material",
	"Products",
	"Sub Assemblies",
	"Services",
	"Consumable",
)
ITEMS = {
	# soap
	"DEMO-LAV-OIL": ("Lavender Essential Oil", RAW, "Ounce", 0.9, {}),
	"DEMO-ROSE-OIL": ("Rose Essential Oil", RAW, "Ounce", 1.4, {}),
	"DEMO-EUC-OIL": ("Eucalyptus Essential Oil", RAW, "Ounce", 0.8, {}),
	"DEMO-COCONUT-OIL": ("Coconut Oil", RAW, "Ounce", 0.12, {}),
	"DEMO-SHEA-BUTTER": ("Shea Butter", RAW, "Ounce", 0.35, {}),
	"DEMO-LYE": ("Lye (Sodium Hydroxide)", RAW, "Ounce", 0.05, {}),
	"DEMO-WRAP": ("Paper Wrap", CONSUMABLE, "Nos", 0.1, {}),
	"DEMO-LABEL": ("Soap Label", CONSUMABLE, "Nos", 0.02, {}),
	"DEMO-GIFT-BOX": ("Gift Box", RAW, "Nos", 1.5, {}),
	"DEMO-RIBBON": ("Satin Ribbon", CONSUMABLE, "Nos", 0.3, {}),
	"DEMO-LABOUR": ("Workshop Labour", SERVICE, "Hour", 25, {"is_stock_item": 0}),
	"DEMO-SOAP-LAV": ("Lavender Soap Bar", PRODUCT, "Nos", 0, {"tc_deplete_on_sale": 1, "standard_rate": 8}),
	"DEMO-SOAP-ROSE": ("Rose Soap Bar", PRODUCT, "Nos", 0, {"tc_deplete_on_sale": 1, "standard_rate": 9}),
	"DEMO-SOAP-EUC": (
		"Eucalyptus Soap Bar",
		PRODUCT,
		"Nos",
		0,
		{"tc_deplete_on_sale": 1, "standard_rate": 8},
	),
	"DEMO-SOAP-GIFT": ("Soap Gift Kit", PRODUCT, "Nos", 0, {"tc_deplete_on_sale": 1, "standard_rate": 28}),
	# pottery (templates and variants below)
	"DEMO-CLAY": ("Stoneware Clay", RAW, "Kg", 1.2, {}),
	"DEMO-WAX-RESIST": ("Wax Resist", CONSUMABLE, "Kg", 15, {}),
	"DEMO-KILN-FIRING": ("Kiln Firing (share)", SERVICE, "Nos", 0.8, {"is_stock_item": 0}),
	# electronics
	"DEMO-PCB": ("Bare Circuit Board", RAW, "Nos", 1.8, {}),
	"DEMO-MCU-STM32": ("Microcontroller STM32", RAW, "Nos", 3.2, {"allow_alternative_item": 1}),
	"DEMO-MCU-GD32": ("Microcontroller GD32", RAW, "Nos", 2.1, {"allow_alternative_item": 1}),
	"DEMO-BT-MODULE": ("Bluetooth Module", RAW, "Nos", 4.5, {}),
	"DEMO-USB-C": ("USB-C Port", RAW, "Nos", 0.35, {}),
	"DEMO-SOLDER-PASTE": ("Solder Paste", CONSUMABLE, "Kg", 60, {}),
	"DEMO-HEATSINK": ("Heatsink", RAW, "Nos", 0.6, {}),
	"DEMO-ENCLOSURE": ("Speaker Enclosure", RAW, "Nos", 6.5, {}),
	"DEMO-DRIVER": ("40 mm Driver", RAW, "Nos", 2.75, {}),
	"DEMO-BATTERY": ("Battery 18650", RAW, "Nos", 3.1, {}),
	"DEMO-SCREW": ("Screw M3", RAW, "Nos", 0.03, {}),
	"DEMO-THREADLOCK": ("Threadlock", CONSUMABLE, "Litre", 80, {}),
	"DEMO-SPEAKER-BOX": ("Speaker Gift Box", RAW, "Nos", 1.9, {}),
	"DEMO-PCBA": ("Assembled Circuit Board", SUB, "Nos", 0, {}),
	"DEMO-MAINBOARD": ("Mainboard Assembly", SUB, "Nos", 0, {}),
	"DEMO-SPEAKER": ("Bluetooth Speaker", PRODUCT, "Nos", 0, {"standard_rate": 79}),
}

FORMS = ("Classic", "Tall", "Espresso", "Latte", "Tankard", "Belly", "Tumbler", "Yunomi")
GLAZES = (
	"Celadon",
	"Tenmoku",
	"Shino",
	"Ash",
	"Cobalt",
	"Copper Red",
	"Chun Blue",
	"Matte White",
	"Satin Black",
	"Oatmeal",
	"Rutile Blue",
	"Honey",
	"Sage",
	"Iron Red",
	"Clear",
)
ATTRIBUTES = {"Mug Form": FORMS, "Glaze": GLAZES}
# template: (name, group, stock UOM, valuation rate of its variants, attributes, fields)
TEMPLATES = {
	"DEMO-FORM": ("Bisque Mug Body", SUB, "Nos", 4, ("Mug Form",), {}),
	"DEMO-GLAZE": ("Glaze", RAW, "Kg", 30, ("Glaze",), {}),
	"DEMO-MUG": ("Mug", PRODUCT, "Nos", 0, ("Mug Form", "Glaze"), {}),
}

# BOMs, built in this order (components first). A line: (item, qty, TrueCraft line rules).
BOMS = {
	"DEMO-SOAP-LAV": [
		("DEMO-LAV-OIL", 1.2, {"tc_note": "1.2 oz a bar, at trace"}),
		("DEMO-COCONUT-OIL", 8, {"tc_attrition": 2, "tc_note": "2 % stays in the pot"}),
		("DEMO-SHEA-BUTTER", 4, {}),
		("DEMO-LYE", 1.5, {"tc_setup_qty": 0.5, "tc_note": "0.5 oz to test each batch"}),
		("DEMO-WRAP", 1, {"tc_consumable": 1}),
		("DEMO-LABEL", 1, {"tc_consumable": 1}),
		("DEMO-LABOUR", 0.1, {"tc_note": "six minutes a bar"}),
	],
	"DEMO-SOAP-ROSE": [
		("DEMO-ROSE-OIL", 1, {}),
		("DEMO-COCONUT-OIL", 8, {}),
		("DEMO-SHEA-BUTTER", 4, {}),
		("DEMO-LYE", 1.5, {}),
		("DEMO-WRAP", 1, {"tc_consumable": 1}),
		("DEMO-LABEL", 1, {"tc_consumable": 1}),
		("DEMO-LABOUR", 0.1, {}),
	],
	"DEMO-SOAP-EUC": [
		("DEMO-EUC-OIL", 1.5, {}),
		("DEMO-COCONUT-OIL", 8, {}),
		("DEMO-SHEA-BUTTER", 4, {}),
		("DEMO-LYE", 1.5, {}),
		("DEMO-WRAP", 1, {"tc_consumable": 1}),
		("DEMO-LABEL", 1, {"tc_consumable": 1}),
		("DEMO-LABOUR", 0.1, {}),
	],
	"DEMO-SOAP-GIFT": [
		("DEMO-SOAP-LAV", 1, {}),
		("DEMO-SOAP-ROSE", 1, {}),
		("DEMO-SOAP-EUC", 1, {}),
		("DEMO-GIFT-BOX", 1, {}),
		("DEMO-RIBBON", 1, {"tc_optional": 1, "tc_note": "on request"}),
		("DEMO-LABOUR", 0.05, {}),
	],
	# the template's lines reach all 120 mugs; DEMO-FORM and DEMO-GLAZE resolve by attribute
	"DEMO-MUG": [
		("DEMO-FORM", 1, {"tc_inherited": 1, "tc_note": "the bisque body of the mug's form"}),
		("DEMO-GLAZE", 0.15, {"tc_inherited": 1, "tc_attrition": 10, "tc_note": "kg of the mug's glaze"}),
		("DEMO-CLAY", 0.06, {"tc_inherited": 1, "tc_note": "the handle"}),
		("DEMO-WAX-RESIST", 0.005, {"tc_inherited": 1, "tc_consumable": 1}),
		("DEMO-KILN-FIRING", 1, {"tc_inherited": 1}),
		("DEMO-GIFT-BOX", 1, {"tc_inherited": 1, "tc_optional": 1}),
	],
	"DEMO-PCBA": [
		("DEMO-PCB", 1, {"tc_attrition": 3, "tc_note": "3 % fail inspection"}),
		("DEMO-MCU-STM32", 1, {"tc_reference": "U1", "tc_note": "GD32 when STM32 is short"}),
		("DEMO-BT-MODULE", 1, {"tc_reference": "U2"}),
		("DEMO-USB-C", 1, {"tc_reference": "J1"}),
		("DEMO-SOLDER-PASTE", 0.02, {"tc_consumable": 1}),
		("DEMO-LABOUR", 0.05, {}),
	],
	"DEMO-MAINBOARD": [
		("DEMO-PCBA", 1, {}),
		("DEMO-HEATSINK", 1, {}),
		("DEMO-LABOUR", 0.1, {}),
	],
	"DEMO-SPEAKER": [
		("DEMO-MAINBOARD", 1, {}),
		("DEMO-ENCLOSURE", 1, {}),
		("DEMO-DRIVER", 2, {}),
		("DEMO-BATTERY", 1, {}),
		("DEMO-SCREW", 8, {"tc_setup_qty": 2, "tc_note": "2 dropped per build"}),
		("DEMO-THREADLOCK", 0.001, {"tc_consumable": 1}),
		("DEMO-SPEAKER-BOX", 1, {"tc_optional": 1}),
		("DEMO-LABOUR", 0.25, {}),
	],
}
ALTERNATIVES = [("DEMO-MCU-STM32", "DEMO-MCU-GD32")]  # two-way

# Stock on hand after the demo sales (the sales take their materials first; setup tops up to these).
STOCK = {
	"DEMO-LAV-OIL": 63.6,
	"DEMO-ROSE-OIL": 87.5,
	"DEMO-EUC-OIL": 51.5,
	"DEMO-COCONUT-OIL": 800,
	"DEMO-SHEA-BUTTER": 400,
	"DEMO-LYE": 300,
	"DEMO-WRAP": 500,
	"DEMO-LABEL": 1000,
	"DEMO-GIFT-BOX": 40,
	"DEMO-CLAY": 25,
	"DEMO-WAX-RESIST": 1.5,
	**{
		f"DEMO-FORM-{form.upper()}": qty
		for form, qty in zip(FORMS, (24, 18, 30, 12, 8, 15, 20, 10), strict=True)
	},
	**{
		f"DEMO-GLAZE-{glaze.upper().replace(' ', '-')}": qty
		for glaze, qty in zip(
			GLAZES, (3.3, 6.5, 3.2, 2.5, 5, 1.8, 2.2, 8, 7, 3.6, 4.4, 2.9, 3.3, 1.5, 12), strict=True
		)
	},
	"DEMO-PCB": 120,
	"DEMO-MCU-STM32": 30,
	"DEMO-MCU-GD32": 42,
	"DEMO-BT-MODULE": 120,
	"DEMO-USB-C": 90,
	"DEMO-SOLDER-PASTE": 2,
	"DEMO-HEATSINK": 100,
	"DEMO-ENCLOSURE": 90,
	"DEMO-DRIVER": 150,
	"DEMO-BATTERY": 80,
	"DEMO-SCREW": 1000,
	"DEMO-THREADLOCK": 0.25,
	"DEMO-SPEAKER-BOX": 20,
}
# Item Reorder rows (level, reorder qty) in the demo warehouse.
REORDER = {
	"DEMO-LAV-OIL": (24, 64),
	"DEMO-ROSE-OIL": (24, 64),
	"DEMO-EUC-OIL": (24, 64),
	"DEMO-COCONUT-OIL": (200, 800),
	"DEMO-SHEA-BUTTER": (100, 400),
	"DEMO-CLAY": (10, 25),
}
# The demo sales: (doctype, customer, [(item, qty)]). Each takes its materials when submitted.
SALES = [
	("Sales Invoice", "DEMO Market Stall", [("DEMO-SOAP-LAV", 4), ("DEMO-SOAP-ROSE", 2)]),
	("Delivery Note", "DEMO Online Shop", [("DEMO-SOAP-GIFT", 1), ("DEMO-SOAP-EUC", 3)]),
]


# --- setup -----------------------------------------------------------------------------------------------


def setup():
	"""Build the demo (or bring it back to its starting figures) and commit."""
	with filelock(LOCK, timeout=600):
		frappe.db.commit()  # read what a run that held the lock before this one committed
		_setup()


def _setup():
	frappe.set_user("Administrator")
	company = _company()
	warehouse = _warehouse(company)
	_attributes()
	for code, (name, group, uom, rate, fields) in ITEMS.items():
		_item(code, name, group, uom, rate, warehouse, fields)
	for code, (name, group, uom, _rate, attributes, fields) in TEMPLATES.items():
		_item(code, name, group, uom, 0, warehouse, {**fields, "has_variants": 1}, attributes)
	_variants("DEMO-FORM", [{"Mug Form": form} for form in FORMS], TEMPLATES["DEMO-FORM"][3])
	_variants("DEMO-GLAZE", [{"Glaze": glaze} for glaze in GLAZES], TEMPLATES["DEMO-GLAZE"][3])
	_variants("DEMO-MUG", [{"Mug Form": f, "Glaze": g} for f in FORMS for g in GLAZES], 0)
	for a, b in ALTERNATIVES:
		_alternative(a, b)
	for code, lines in BOMS.items():
		_bom(code, lines, company)
	for name in CUSTOMERS:
		_customer(name)
	_user(USER, "Maya", "Maker", ROLES)
	_user(SELLER, "Sam", "Seller", SELLER_ROLES)
	frappe.db.commit()
	_set_stock(company, warehouse)  # enough for the sales
	_sales(company, warehouse)
	_set_stock(company, warehouse)  # back to the figures the desk shows
	frappe.db.commit()
	_refresh_capacity()


def _refresh_capacity():
	"""The demo products' Production Capacity records, now: a site served without RQ workers would show them
	only after the hourly rebuild."""
	from truecraft_bom import capacity

	capacity.refresh([code for code in capacity.products() if code.startswith(PREFIX)])
	frappe.db.commit()


def _company() -> str:
	return frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name")[0]


def _warehouse(company: str) -> str:
	name = f"{WAREHOUSE} - {frappe.get_cached_value('Company', company, 'abbr')}"
	if not frappe.db.exists("Warehouse", name):
		parent = frappe.db.get_value("Warehouse", {"company": company, "is_group": 1}, "name", order_by="lft")
		frappe.get_doc(
			{
				"doctype": "Warehouse",
				"warehouse_name": WAREHOUSE,
				"company": company,
				"parent_warehouse": parent,
			}
		).insert(ignore_permissions=True)
	return name


def _abbr(value: str) -> str:
	return value.upper().replace(" ", "-")


def _attributes():
	for attribute, values in ATTRIBUTES.items():
		if frappe.db.exists("Item Attribute", attribute):
			doc = frappe.get_doc("Item Attribute", attribute)
			have = {row.attribute_value for row in doc.item_attribute_values}
			missing = [value for value in values if value not in have]
			if not missing:
				continue
		else:
			doc = frappe.get_doc({"doctype": "Item Attribute", "attribute_name": attribute})
			missing = values
		for value in missing:
			doc.append("item_attribute_values", {"attribute_value": value, "abbr": _abbr(value)})
		doc.save(ignore_permissions=True)


def _group(group: str) -> str:
	return group if frappe.db.exists("Item Group", group) else "All Item Groups"


def _item(code, name, group, uom, rate, warehouse, fields, attributes=()):
	if frappe.db.exists("Item", code):
		return
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": _(name),
			"item_group": _group(group),
			"stock_uom": uom,
			"is_stock_item": 1,
			"include_item_in_manufacturing": 1,
			"valuation_rate": rate,
			"opening_stock": 0,
			"attributes": [{"attribute": attribute} for attribute in attributes],
			**fields,
		}
	)
	if code in REORDER:
		level, qty = REORDER[code]
		doc.append(
			"reorder_levels",
			{
				"warehouse": warehouse,
				"warehouse_reorder_level": level,
				"warehouse_reorder_qty": qty,
				"material_request_type": "Purchase",
			},
		)
	doc.insert(ignore_permissions=True)


def _variants(template: str, combinations: list[dict], rate: float):
	existing = {
		tuple(sorted((row.attribute, row.attribute_value) for row in attributes))
		for attributes in _variant_attributes(template)
	}
	for values in combinations:
		if tuple(sorted(values.items())) in existing:
			continue
		variant = create_variant(template, values)
		variant.valuation_rate = rate
		variant.insert(ignore_permissions=True)


def _variant_attributes(template: str):
	variants = frappe.get_all("Item", filters={"variant_of": template}, pluck="name")
	rows = frappe.get_all(
		"Item Variant Attribute",
		filters={"parent": ("in", variants), "parenttype": "Item"},
		fields=["parent", "attribute", "attribute_value"],
	)
	by_variant: dict[str, list] = {}
	for row in rows:
		by_variant.setdefault(row.parent, []).append(row)
	return by_variant.values()


def _alternative(item: str, alternative: str):
	if frappe.db.exists("Item Alternative", {"item_code": item, "alternative_item_code": alternative}):
		return
	frappe.get_doc(
		{"doctype": "Item Alternative", "item_code": item, "alternative_item_code": alternative, "two_way": 1}
	).insert(ignore_permissions=True)


def _bom(item: str, lines: list, company: str):
	default = frappe.db.get_value("Item", item, "default_bom")
	if default and frappe.db.get_value("BOM", default, "docstatus") == 1:
		return
	doc = frappe.get_doc(
		{
			"doctype": "BOM",
			"item": item,
			"quantity": 1,
			"company": company,
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"is_default": 1,
			"is_active": 1,
			"rm_cost_as_per": "Valuation Rate",
			"items": [{"item_code": code, "qty": qty, **rules} for code, qty, rules in lines],
		}
	)
	doc.insert(ignore_permissions=True)
	doc.submit()


def _customer(name: str):
	if frappe.db.exists("Customer", name):
		return
	frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": name,
			"customer_type": "Company",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}) or "All Customer Groups",
			"territory": frappe.db.get_value("Territory", {"is_group": 0}) or "All Territories",
		}
	).insert(ignore_permissions=True)


def _user(email: str, first_name: str, last_name: str, roles: tuple[str, ...]):
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"user_type": "System User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	missing = [role for role in roles if role not in {row.role for row in user.roles}]
	if missing:
		user.add_roles(*missing)
	update_password(email, DEMO_PASSWORD)


def _stock_levels(warehouse: str) -> dict[str, float]:
	rows = frappe.get_all(
		"Bin",
		filters={"warehouse": warehouse, "item_code": ("in", list(STOCK))},
		fields=["item_code", "actual_qty"],
	)
	return {row.item_code: flt(row.actual_qty, 6) for row in rows}


def _rates() -> dict[str, float]:
	rates = {code: spec[3] for code, spec in ITEMS.items()}
	for template, spec in TEMPLATES.items():
		for variant in frappe.get_all("Item", filters={"variant_of": template}, pluck="name"):
			rates[variant] = spec[3]
	return rates


def _set_stock(company: str, warehouse: str):
	"""Bring every stocked demo material to exactly its figure: one receipt and one issue at most."""
	levels = _stock_levels(warehouse)
	rates = _rates()
	receive, issue = [], []
	for code, target in STOCK.items():
		difference = flt(target - levels.get(code, 0), 6)
		if difference > 0:
			receive.append(
				{"item_code": code, "qty": difference, "t_warehouse": warehouse, "basic_rate": rates[code]}
			)
		elif difference < 0:
			issue.append({"item_code": code, "qty": -difference, "s_warehouse": warehouse})
	for purpose, rows in (("Material Receipt", receive), ("Material Issue", issue)):
		if not rows:
			continue
		entry = frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"stock_entry_type": purpose,
				"purpose": purpose,
				"company": company,
				"remarks": _("TrueCraft demo stock"),
				"items": rows,
			}
		)
		entry.insert(ignore_permissions=True)
		entry.submit()


def _sales(company: str, warehouse: str):
	accounts = frappe.get_cached_value(
		"Company",
		company,
		["default_income_account", "cost_center", "default_expense_account", "default_receivable_account"],
		as_dict=True,
	)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	for doctype, customer, lines in SALES:
		if frappe.db.exists(doctype, {"customer": customer, "docstatus": 1}):
			continue
		doc = frappe.get_doc(
			{
				"doctype": doctype,
				"customer": customer,
				"company": company,
				"currency": currency,
				"selling_price_list": frappe.db.get_single_value("Selling Settings", "selling_price_list"),
				"set_warehouse": warehouse,
				"items": [
					{
						"item_code": code,
						"qty": qty,
						"rate": ITEMS[code][4]["standard_rate"],
						"warehouse": warehouse,
						"income_account": accounts.default_income_account,
						"expense_account": accounts.default_expense_account,
						"cost_center": accounts.cost_center,
					}
					for code, qty in lines
				],
			}
		)
		if doctype == "Sales Invoice":
			doc.update({"update_stock": 1, "debit_to": accounts.default_receivable_account})
		doc.insert(ignore_permissions=True)
		doc.submit()
		frappe.db.commit()


# --- teardown --------------------------------------------------------------------------------------------


def teardown():
	"""Cancel and delete everything ``setup`` made (sales, stock entries, BOMs, items, attributes, the user)."""
	with filelock(LOCK, timeout=600):
		frappe.db.commit()
		_teardown()


def _teardown():
	frappe.set_user("Administrator")
	company = _company()
	warehouse = f"{WAREHOUSE} - {frappe.get_cached_value('Company', company, 'abbr')}"
	items = frappe.get_all("Item", filters={"name": ("like", f"{PREFIX}%")}, pluck="name")

	# sales first: cancelling one cancels the stock entries it posted
	vouchers: list[tuple[str, str]] = []
	for doctype in ("Sales Invoice", "Delivery Note"):
		for name in frappe.get_all(doctype, filters={"customer": ("in", CUSTOMERS)}, pluck="name"):
			vouchers.append((doctype, name))
	entries = frappe.get_all(
		"Stock Entry Detail", filters={"item_code": ("in", items or [""])}, pluck="parent", distinct=True
	)
	entries = frappe.get_all(
		"Stock Entry",
		filters={"name": ("in", entries or [""])},
		pluck="name",
		order_by="posting_date desc, posting_time desc, creation desc",
	)
	for doctype, name in vouchers:
		_cancel(doctype, name)
	for name in entries:
		_cancel("Stock Entry", name)
	vouchers += [("Stock Entry", name) for name in entries]
	for doctype, name in vouchers:
		for ledger in ("Stock Ledger Entry", "GL Entry", "Payment Ledger Entry"):
			frappe.db.delete(ledger, {"voucher_type": doctype, "voucher_no": name})
		frappe.db.delete("Repost Item Valuation", {"voucher_type": doctype, "voucher_no": name})
		frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, delete_permanently=True)

	for name in frappe.get_all("BOM", filters={"item": ("in", items or [""])}, pluck="name"):
		_cancel("BOM", name)
		frappe.delete_doc("BOM", name, ignore_permissions=True, force=True, delete_permanently=True)
	frappe.db.delete("Item Alternative", {"item_code": ("in", items or [""])})
	frappe.db.delete("Repost Item Valuation", {"item_code": ("in", items or [""])})
	# variants before their templates
	for name in sorted(items, key=lambda code: not frappe.db.get_value("Item", code, "variant_of")):
		if frappe.db.exists("Item", name):
			frappe.delete_doc("Item", name, ignore_permissions=True, force=True, delete_permanently=True)
	for attribute in ATTRIBUTES:
		used = frappe.db.exists("Item Variant Attribute", {"attribute": attribute})
		if frappe.db.exists("Item Attribute", attribute) and not used:
			frappe.delete_doc(
				"Item Attribute", attribute, ignore_permissions=True, force=True, delete_permanently=True
			)
	for name in CUSTOMERS:
		if frappe.db.exists("Customer", name):
			frappe.delete_doc("Customer", name, ignore_permissions=True, force=True, delete_permanently=True)
	for user in (USER, SELLER):
		if frappe.db.exists("User", user):
			frappe.delete_doc("User", user, ignore_permissions=True, force=True, delete_permanently=True)
	# derived records: deleting their items leaves them (ignore_links_on_delete)
	frappe.db.delete("Production Capacity", {"item_code": ("like", f"{PREFIX}%")})
	if frappe.db.exists("Warehouse", warehouse):
		frappe.db.delete("Stock Ledger Entry", {"warehouse": warehouse, "is_cancelled": 1})
		frappe.delete_doc(
			"Warehouse", warehouse, ignore_permissions=True, force=True, delete_permanently=True
		)
	frappe.db.commit()


def _cancel(doctype: str, name: str):
	doc = frappe.get_doc(doctype, name)
	if doc.docstatus == 1:
		doc.flags.ignore_permissions = True
		doc.cancel()
