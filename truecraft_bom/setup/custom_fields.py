"""Every custom field and property setter the app adds to ERPNext, defined once.

The BOM Item fields are derived from the engine's line rules (``engine.rules.LINE_RULES``): a new rule gets
its field, grid column and validation from that table. ``setup.install`` creates all of this on install,
re-syncs it on every migrate and removes exactly it on uninstall. Other code and reports depend on these field
names: do not rename them.
"""

from truecraft_bom.engine.rules import LINE_RULES

MODULE = "TrueCraft BOM"


def _(text: str) -> str:
	"""Mark install-time labels for translation; they are stored untranslated."""
	return text


_FIELDTYPES = {"quantity": "Float", "percent": "Percent", "flag": "Check", "text": "Data"}


def _line_rule_fields() -> list[dict]:
	"""A section on the BOM Item form: quantities in the first column, flags and text in the second."""
	fields = [
		{
			"fieldname": "tc_section",
			"fieldtype": "Section Break",
			"label": _("TrueCraft BOM Rules"),
			"insert_after": "sourced_by_supplier",
		}
	]
	numbers = [rule for rule in LINE_RULES if rule.kind in ("quantity", "percent")]
	others = [rule for rule in LINE_RULES if rule.kind not in ("quantity", "percent")]
	after = "tc_section"
	for rule in [*numbers, None, *others]:
		if rule is None:
			fields.append(
				{"fieldname": "tc_column_break", "fieldtype": "Column Break", "insert_after": after}
			)
			after = "tc_column_break"
			continue
		field = {
			"fieldname": rule.field,
			"fieldtype": _FIELDTYPES[rule.kind],
			"label": rule.label,
			"description": rule.description,
			"insert_after": after,
		}
		if rule.grid_columns:
			field.update(in_list_view=1, columns=rule.grid_columns)
		if rule.minimum is not None and rule.minimum >= 0:
			field["non_negative"] = 1
		fields.append(field)
		after = rule.field
	return fields


def _overage_field(after: str) -> dict:
	return {
		"fieldname": "tc_overage_qty",
		"fieldtype": "Float",
		"label": _("Overage Qty"),
		"insert_after": after,
		"read_only": 1,
		"no_copy": 1,
		"description": _("Of this quantity, what setup quantities and attrition consume (stock UOM)."),
	}


CUSTOM_FIELDS = {
	"BOM Item": _line_rule_fields(),
	"Item": [
		{
			"fieldname": "tc_deplete_on_sale",
			"fieldtype": "Check",
			"label": _("Deplete Materials on Sale"),
			"insert_after": "is_stock_item",
			"description": _("Made to order: a sale consumes the materials of this item's BOM."),
		},
		{
			"fieldname": "tc_capacity_target",
			"fieldtype": "Float",
			"label": _("Capacity Target"),
			"insert_after": "tc_deplete_on_sale",
			"non_negative": 1,
			"description": _(
				"Stock Managers get a daily digest of the items that can be made fewer times than this."
			),
		},
	],
	"Stock Entry": [
		{
			"fieldname": "tc_source_section",
			"fieldtype": "Section Break",
			"label": _("TrueCraft Source"),
			"insert_after": "remarks",
			"collapsible": 1,
			"depends_on": "tc_source_name",
		},
		{
			"fieldname": "tc_source_doctype",
			"fieldtype": "Link",
			"options": "DocType",
			"label": _("Posted For Document Type"),
			"insert_after": "tc_source_section",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			# Data, not Dynamic Link: a link would make the invoice's cancel try to cancel this entry first,
			# before the invoice has returned the product it issued.
			"fieldname": "tc_source_name",
			"fieldtype": "Data",
			"label": _("Posted For Document"),
			"insert_after": "tc_source_doctype",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
			"description": _("The sale whose made-to-order items this entry made or issued."),
		},
		{
			# set once the entry's materials, scrap and non-stock costs come from the engine: later saves keep
			# what the user changed
			"fieldname": "tc_from_engine",
			"fieldtype": "Check",
			"label": _("Quantities From TrueCraft BOM"),
			"insert_after": "tc_source_name",
			"read_only": 1,
			"hidden": 1,
			"no_copy": 1,
		},
	],
	"Stock Entry Detail": [_overage_field("transfer_qty")],
	"Work Order": [
		{
			"fieldname": "tc_include_optional",
			"fieldtype": "Check",
			"label": _("Include Optional BOM Lines"),
			"insert_after": "use_multi_level_bom",
			"description": _("Optional lines of the BOM are required items too."),
		},
	],
	"Work Order Item": [_overage_field("required_qty")],
}
for _fields in CUSTOM_FIELDS.values():
	for _field in _fields:
		_field["module"] = MODULE


def _setter(doctype: str, fieldname: str, prop: str, value, property_type: str) -> dict:
	return {
		"doctype": doctype,
		"fieldname": fieldname,
		"property": prop,
		"value": str(value),
		"property_type": property_type,
	}


# The desk grid shows at most 11 column units (the row number takes one). ERPNext's BOM Item columns take all
# of them (item 3, qty 2, uom 1, rate 2, amount 2), so the line rules' columns would not show: narrow the item
# and the quantity, and leave the rate to the row form (the amount still shows the line's cost).
GRID_UNITS = 11
_STANDARD_GRID = {"item_code": 2, "qty": 1, "uom": 1, "amount": 1}
# Work Orders reserve their materials with ERPNext's Stock Reservation Entry (truecraft_bom.reservation), whose
# voucher type offers only Sales Order in ERPNext 15.
SRE_VOUCHER_TYPES = "\nSales Order\nWork Order"
PROPERTY_SETTERS = [
	*(_setter("BOM Item", name, "columns", width, "Int") for name, width in _STANDARD_GRID.items()),
	_setter("BOM Item", "rate", "in_list_view", 0, "Check"),
	_setter("Stock Reservation Entry", "voucher_type", "options", SRE_VOUCHER_TYPES, "Text"),
]
assert 1 + sum(_STANDARD_GRID.values()) + sum(rule.grid_columns for rule in LINE_RULES) <= GRID_UNITS, (
	"the BOM items grid cannot show every line rule column"
)
