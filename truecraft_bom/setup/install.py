"""Install, migrate, uninstall and test setup: everything the app adds to a site is created and removed here."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from truecraft_bom.setup import workflow
from truecraft_bom.setup.custom_fields import CUSTOM_FIELDS, MODULE, PROPERTY_SETTERS


def after_install():
	sync()


def after_migrate():
	sync()


def sync():
	"""Create or update the app's custom fields and property setters, and create the BOM Revision workflow
	when BOM Revision has none (idempotent: an edited or deactivated workflow is kept as it is)."""
	workflow.create()
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True, update=True)
	for setter in PROPERTY_SETTERS:
		doc = make_property_setter(
			setter["doctype"],
			setter["fieldname"],
			setter["property"],
			setter["value"],
			setter["property_type"],
			for_doctype=False,
			validate_fields_for_doctype=False,
		)
		# marks it as the app's, so uninstall removes exactly what install made
		frappe.db.set_value("Property Setter", doc.name, "module", MODULE, update_modified=False)


def before_uninstall():
	"""Remove, in two statements, exactly the custom fields and property setters ``sync`` created; then the
	BOM Revision workflow."""
	frappe.db.delete(
		"Custom Field",
		{
			"module": MODULE,
			"name": ("in", [_field_name(dt, f) for dt, fields in CUSTOM_FIELDS.items() for f in fields]),
		},
	)
	frappe.db.delete(
		"Property Setter",
		{
			"module": MODULE,
			"name": ("in", [f"{s['doctype']}-{s['fieldname']}-{s['property']}" for s in PROPERTY_SETTERS]),
		},
	)
	for doctype in {*CUSTOM_FIELDS, *(setter["doctype"] for setter in PROPERTY_SETTERS)}:
		frappe.clear_cache(doctype=doctype)
	workflow.remove()


def _field_name(doctype: str, field: dict) -> str:
	return f"{doctype}-{field['fieldname']}"


def before_tests():
	"""Complete ERPNext's setup and bring this app's fields and doctypes up to the code under test."""
	from erpnext.setup.utils import before_tests as erpnext_before_tests
	from frappe.model.sync import sync_for
	from frappe.utils.dashboard import sync_dashboards

	erpnext_before_tests()
	sync_for("truecraft_bom")
	sync_dashboards("truecraft_bom")  # number cards and charts (migrate does this too)
	sync()
	frappe.db.commit()
