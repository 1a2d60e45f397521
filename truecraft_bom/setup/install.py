"""Install, migrate, uninstall and test setup: everything the app adds to a site is created and removed here."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from truecraft_bom.setup.custom_fields import CUSTOM_FIELDS, PROPERTY_SETTERS


def after_install():
	sync()


def after_migrate():
	sync()


def sync():
	"""Create or update the app's custom fields and property setters (idempotent)."""
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True, update=True)
	for setter in PROPERTY_SETTERS:
		make_property_setter(
			setter["doctype"],
			setter["fieldname"],
			setter["property"],
			setter["value"],
			setter["property_type"],
			for_doctype=False,
			validate_fields_for_doctype=False,
		)


def before_uninstall():
	"""Remove every custom field and property setter the app created."""
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
	for setter in PROPERTY_SETTERS:
		frappe.db.delete(
			"Property Setter",
			{
				"doc_type": setter["doctype"],
				"field_name": setter["fieldname"],
				"property": setter["property"],
			},
		)
	for doctype in {*CUSTOM_FIELDS, *(setter["doctype"] for setter in PROPERTY_SETTERS)}:
		frappe.clear_cache(doctype=doctype)


def before_tests():
	"""Complete ERPNext's setup and bring this app's fields and doctypes up to the code under test."""
	from erpnext.setup.utils import before_tests as erpnext_before_tests
	from frappe.model.sync import sync_for

	erpnext_before_tests()
	sync_for("truecraft_bom")
	sync()
	frappe.db.commit()
