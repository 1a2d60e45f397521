app_name = "truecraft_bom"
app_title = "TrueCraft BOM"
app_publisher = "TrueCraft"
app_description = (
	"Bills of Materials linked to inventory: overage, substitutes, live variant BOMs and exact capacity"
)
app_email = "dev@truecraft.example"
app_license = "mit"

# "frappe/erpnext", not "erpnext": install-app would look a bare name up on the network.
required_apps = ["frappe/erpnext"]

after_install = "truecraft_bom.setup.install.after_install"
after_migrate = "truecraft_bom.setup.install.after_migrate"
before_uninstall = "truecraft_bom.setup.install.before_uninstall"
before_tests = "truecraft_bom.setup.install.before_tests"

# common.js first: it defines the truecraft_bom namespace the form scripts use
doctype_js = {
	"BOM": ["public/js/common.js", "public/js/bom.js"],
	"Item": ["public/js/common.js", "public/js/item.js"],
	"Delivery Note": ["public/js/common.js", "public/js/delivery_note.js", "public/js/sales.js"],
	"Sales Order": ["public/js/common.js", "public/js/sales.js"],
	"Sales Invoice": ["public/js/common.js", "public/js/sales.js"],
}

# the BOM builder page (truecraft_bom/truecraft_bom/page/bom_builder) uses the same namespace
page_js = {"bom-builder": ["public/js/common.js"]}

override_doctype_dashboards = {
	"Sales Invoice": "truecraft_bom.events.sales_invoice.get_dashboard_data",
}

# Changes the cached BOM structure is built from (truecraft_bom.catalog) are logged for every process to read
# again (what changed only), and refresh the Production Capacity records they touch once they commit; a save
# that changes nothing the structure reads does neither.
_structure_changed = "truecraft_bom.catalog.changed"

doc_events = {
	"BOM": {
		"validate": "truecraft_bom.events.bom.validate",
		"onload": "truecraft_bom.events.bom.onload",
		"on_update": "truecraft_bom.events.bom.on_update",
		"before_submit": "truecraft_bom.events.bom.before_submit",
		"before_update_after_submit": "truecraft_bom.events.bom.before_update_after_submit",
		"before_cancel": "truecraft_bom.events.bom.before_cancel",
		"on_submit": _structure_changed,
		"on_cancel": _structure_changed,
		"on_update_after_submit": _structure_changed,
		"on_trash": _structure_changed,
	},
	"Item": {
		"on_update": _structure_changed,
		"after_rename": _structure_changed,
		"on_trash": _structure_changed,
	},
	"Item Alternative": {
		"on_update": _structure_changed,
		"on_trash": _structure_changed,
	},
	"UOM": {"on_update": _structure_changed},
	"Item Attribute": {"on_update": _structure_changed},
	"Sales Invoice": {
		"before_submit": "truecraft_bom.events.sales_invoice.before_submit",
		"on_cancel": "truecraft_bom.events.sales_invoice.on_cancel",
	},
	"Delivery Note": {
		"before_submit": "truecraft_bom.events.delivery_note.before_submit",
		"on_cancel": "truecraft_bom.events.delivery_note.on_cancel",
	},
	"Stock Entry": {
		"before_validate": "truecraft_bom.events.stock_entry.before_validate",
		"before_submit": "truecraft_bom.events.stock_entry.before_submit",
		"before_cancel": "truecraft_bom.events.stock_entry.before_cancel",
		"on_cancel": "truecraft_bom.events.stock_entry.on_cancel",
	},
	"Pick List": {"before_submit": "truecraft_bom.events.pick_list.before_submit"},
	# the plan's "Get Sub Assembly Items" (a document method: its doc event runs after ERPNext's)
	"Production Plan": {
		"get_sub_assembly_items": "truecraft_bom.planning.set_sub_assembly_quantities",
	},
	# every stock movement and its cancellation posts these: capacity is refreshed after commit
	"Stock Ledger Entry": {"on_submit": "truecraft_bom.events.stock_ledger_entry.on_submit"},
	"Stock Reservation Entry": {"on_change": "truecraft_bom.events.stock_reservation_entry.on_change"},
	"Work Order": {
		"validate": "truecraft_bom.events.work_order.validate",
		"get_items_and_operations_from_bom": "truecraft_bom.events.work_order.get_items",
		"before_submit": "truecraft_bom.events.work_order.before_submit",
		"on_submit": "truecraft_bom.events.work_order.on_submit",
		"on_change": "truecraft_bom.events.work_order.on_change",
	},
}

# Work Orders and planning on the engine: the Stock Entries a Work Order makes carry the engine's quantities,
# and a Production Plan's raw materials are the engine's
override_whitelisted_methods = {
	"erpnext.manufacturing.doctype.work_order.work_order.make_stock_entry": (
		"truecraft_bom.production.make_stock_entry"
	),
	"erpnext.manufacturing.doctype.production_plan.production_plan.get_items_for_material_requests": (
		"truecraft_bom.planning.get_items_for_material_requests"
	),
}

# Production Capacity records are derived: they never stop an Item (or Warehouse) from being deleted, and the
# refresh that follows the deletion removes them
ignore_links_on_delete = ["Production Capacity"]

scheduler_events = {
	"hourly": ["truecraft_bom.revisions.release.retire_replaced_boms", "truecraft_bom.refresh.hourly"],
	"daily": ["truecraft_bom.alerts.daily"],
}
