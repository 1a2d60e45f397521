"""The permission matrix: every whitelisted method (over HTTP) and every app doctype, for Guest and a user of
each of six roles (one role each, so that the matrix shows what each role alone allows): allowed or 403, as
intended. And a user restricted to one company (User Permission on Company) sees neither capacity, explosions,
costs nor records of another company.

Intent, from docs/design.md: the BOM methods need read permission on Item and BOM (of ERPNext's roles only a
Manufacturing User has both alone); Production Capacity records are for everyone who sells, stocks or makes,
without any recipe; the runway figure follows the Material Runway report's roles; a sale can be checked with
Item read and read on a sales document (or BOM); the builder writes and revisions follow BOM and BOM Revision
permissions; rebuild_capacity is for Stock and System Managers; set_up_wip_account for Accounts and System
Managers; the Work Order's Stock Entry and the plan's raw materials follow ERPNext's Work Order, Stock Entry and
Production Plan permissions.

These tests commit (each request runs on its own connection): the fixture's names are fixed and reused.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from truecraft_bom import capacity as records
from truecraft_bom.tests import factories as f
from truecraft_bom.tests.test_bad_input import METHODS, fixture, messages_of

ROLES = (
	"Guest",
	"Sales User",
	"Stock User",
	"Manufacturing User",
	"Manufacturing Manager",
	"Stock Manager",
	"System Manager",
)
MAKERS = {"Manufacturing User"}  # Item read and BOM read, each alone
CAPACITY_READERS = {
	"Sales User",
	"Stock User",
	"Manufacturing User",
	"Manufacturing Manager",
	"Stock Manager",
	"System Manager",
}
BOM_WRITERS = {"Manufacturing User", "Manufacturing Manager"}
# method -> the roles allowed to call it (every other role gets 403)
ALLOWED = {
	"truecraft_bom.api.explode": MAKERS,
	"truecraft_bom.api.capacity": MAKERS,
	"truecraft_bom.api.where_used": MAKERS,
	"truecraft_bom.api.cost": MAKERS,
	"truecraft_bom.api.tree": MAKERS,
	"truecraft_bom.api.item_capacity": MAKERS,
	"truecraft_bom.api.capacities": CAPACITY_READERS,
	"truecraft_bom.api.materials_at_reorder_level": CAPACITY_READERS - {"Sales User"},
	"truecraft_bom.api.rebuild_capacity": {"Stock Manager", "System Manager"},
	"truecraft_bom.api.sellable": {"Sales User", "Stock User", "Manufacturing User", "Stock Manager"},
	"truecraft_bom.builder.load": MAKERS,
	"truecraft_bom.builder.preview": MAKERS,
	"truecraft_bom.builder.save": BOM_WRITERS,
	"truecraft_bom.builder.new_version": BOM_WRITERS,
	"truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision.make_revision": BOM_WRITERS,
	# an Accounts Manager too (not in ROLES)
	"truecraft_bom.api.set_up_wip_account": {"System Manager"},
	# read on the Work Order (ERPNext: Manufacturing User, Stock User) and create on Stock Entry
	"truecraft_bom.production.make_stock_entry": {"Manufacturing User", "Stock User"},
	# read on Production Plan (ERPNext: Manufacturing User)
	"truecraft_bom.planning.get_items_for_material_requests": {"Manufacturing User"},
}
SETTINGS_EDITORS = {"Stock Manager", "Manufacturing Manager", "System Manager"}
REVISERS = {"Manufacturing User", "Manufacturing Manager", "System Manager"}
# doctype -> permission type -> the roles that have it
DOCTYPES = {
	"Production Capacity": {"read": CAPACITY_READERS, "write": set(), "create": set(), "delete": set()},
	"TrueCraft Settings": {"read": SETTINGS_EDITORS | {"Stock User"}, "write": SETTINGS_EDITORS},
	"BOM Revision": {
		"read": REVISERS,
		"write": REVISERS,
		"create": REVISERS,
		"delete": REVISERS,
		"submit": {"Manufacturing Manager", "System Manager"},
	},
}


def email(role: str) -> str:
	return f"tc-perm-{frappe.scrub(role)}@example.com"


class TestPermissionMatrix(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.fx = fixture()
		for role in ROLES[1:]:
			f.make_user(email(role), [role])
		frappe.db.commit()
		cls.clients = {role: f.Guest() if role == "Guest" else f.Rest(email(role)) for role in ROLES}

	def test_every_method_and_doctype_is_in_the_matrix(self):
		self.assertEqual(sorted(f.whitelisted_methods()), sorted(ALLOWED))
		doctypes = frappe.get_all("DocType", {"module": "TrueCraft BOM", "istable": 0}, pluck="name")
		self.assertEqual(sorted(doctypes), sorted(DOCTYPES))

	def test_methods(self):
		wrong = []
		for method, allowed in ALLOWED.items():
			args = METHODS[method][0](self.fx)
			for role in ROLES:
				response = self.clients[role].method(method, **args)
				status = response.status_code
				if status >= 500 or (role in allowed) == (status == 403):
					wrong.append(f"{method} as {role}: HTTP {status} {messages_of(response)[:200]}")
		print(f"\npermission matrix, methods: {len(ALLOWED)} methods x {len(ROLES)} roles")
		self.assertFalse(wrong, "\n".join(wrong))

	def test_doctypes(self):
		wrong = []
		cells = 0
		for doctype, rights in DOCTYPES.items():
			for role in ROLES:
				user = "Guest" if role == "Guest" else email(role)
				for ptype, allowed in rights.items():
					cells += 1
					if bool(frappe.has_permission(doctype, ptype, user=user)) != (role in allowed):
						wrong.append(f"{doctype} {ptype} as {role}")
				# and read over REST, as a client would
				path = f"/api/resource/{doctype}"
				if frappe.get_meta(doctype).issingle:
					path += f"/{doctype}"
				status = self.clients[role].get(path).status_code
				cells += 1
				if status >= 500 or (role in rights["read"]) != (status == 200):
					wrong.append(f"GET {path} as {role}: HTTP {status}")
		print(f"\npermission matrix, doctypes: {cells} cells")
		self.assertFalse(wrong, "\n".join(wrong))


RESTRICTED = "tc-perm-one-company@example.com"


class TestCompanyRestriction(FrappeTestCase):
	"""PA (company A, the test company) and PB (company B) both use MA; PB also MB. MA: 4 in A's stores, 100 in
	B's. A user restricted to company A sees PA from A's stock only, and nothing of PB."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.b = f.other_company()
		cls.wh_a, cls.wh_b = f.warehouse(), f.company_warehouse(cls.b)
		p = "TC-PERMCO-"
		cls.pa, cls.pb, cls.ma, cls.mb = (f"{p}PA", f"{p}PB", f"{p}MA", f"{p}MB")
		for code in (cls.pa, cls.pb, cls.ma, cls.mb):
			f.make_item(code, rate=1)
		if not frappe.db.get_value("Item", cls.pa, "default_bom"):
			f.make_bom(cls.pa, [{"item_code": cls.ma, "qty": 1}])
			currency = frappe.get_cached_value("Company", cls.b, "default_currency")
			f.make_bom(
				cls.pb,
				[{"item_code": cls.ma, "qty": 1}, {"item_code": cls.mb, "qty": 1}],
				company=cls.b,
				currency=currency,
			)
			f.receive(cls.ma, 4, to_warehouse=cls.wh_a)
			for code in (cls.ma, cls.mb):
				f.make_stock_entry_in(code, 100, cls.wh_b, cls.b)
		records.refresh([cls.pa, cls.pb], isolated=False)
		f.make_user(RESTRICTED, ["Sales User", "Stock User", "Manufacturing User"])
		if not frappe.db.exists("User Permission", {"user": RESTRICTED, "allow": "Company"}):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": RESTRICTED,
					"allow": "Company",
					"for_value": f.company(),
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()
		cls.rest = f.Rest(RESTRICTED)
		cls.admin = f.Rest("Administrator")

	def call(self, method, client=None, **args):
		response = (client or self.rest).method(f"truecraft_bom.api.{method}", **args)
		return response.status_code, (response.json or {}).get("message")

	def test_another_companys_product_is_refused(self):
		for method, args in (
			("explode", {"qty": 1}),
			("cost", {"qty": 1}),
			("capacity", {}),
			("tree", {"qty": 1}),
			("item_capacity", {}),
		):
			status, _answer = self.call(method, item_code=self.pb, **args)
			self.assertEqual(status, 403, method)
			self.assertEqual(self.call(method, client=self.admin, item_code=self.pb, **args)[0], 200, method)
		for name, args in (
			("truecraft_bom.builder.load", {"item_code": self.pb}),
			("truecraft_bom.builder.preview", {"item_code": self.pb}),
			(
				"truecraft_bom.api.sellable",
				{
					"items": json.dumps([{"item_code": self.pb, "warehouse": self.wh_b, "qty": 1}]),
					"company": self.b,
				},
			),
		):
			self.assertEqual(self.rest.method(name, **args).status_code, 403, name)

	def test_capacity_counts_only_the_users_company_stock(self):
		self.assertEqual(self.call("capacity", item_code=self.pa)[1]["capacity"], 4)
		self.assertEqual(self.call("item_capacity", item_code=self.pa)[1]["capacity"], 4)
		self.assertEqual(self.call("capacity", client=self.admin, item_code=self.pa)[1]["capacity"], 104)
		self.assertEqual(self.call("capacity", item_code=self.pa, warehouse=self.wh_b)[0], 403)
		self.assertEqual(self.call("cost", item_code=self.pa)[0], 200)

	def test_where_used_hides_another_companys_products(self):
		self.assertEqual(self.call("where_used", item_code=self.ma)[1]["used_in"], [self.pa])
		used = self.call("where_used", client=self.admin, item_code=self.ma)[1]["used_in"]
		self.assertEqual(sorted(used), sorted([self.pa, self.pb]))

	def test_capacity_records_of_another_company_are_hidden(self):
		status, answer = self.call("capacities", item_codes=json.dumps([self.pa, self.pb]))
		self.assertEqual(status, 200)
		self.assertEqual({row["item_code"] for row in answer["records"]}, {self.pa})
		self.assertEqual({row["company"] for row in answer["records"]}, {f.company()})
		other = frappe.db.get_value(records.DOCTYPE, {"item_code": self.pb}, "name")
		self.assertTrue(other)
		self.assertEqual(self.rest.get(self.rest.resource(records.DOCTYPE, other)).status_code, 403)
		listed = self.rest.get(
			f"/api/resource/{records.DOCTYPE}", fields='["item_code"]', limit_page_length=0
		)
		self.assertNotIn(self.pb, {row["item_code"] for row in listed.json["data"]})
