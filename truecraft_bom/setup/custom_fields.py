"""Every custom field and property setter the app adds to ERPNext, defined once.

``setup.install`` creates them on install, re-syncs them on every migrate and removes them on uninstall.
Other code and reports depend on these field names: do not rename them.
"""


def _(text: str) -> str:
	"""Mark install-time labels for translation; they are stored untranslated."""
	return text


CUSTOM_FIELDS = {
	"BOM Item": [
		{
			"fieldname": "tc_section",
			"fieldtype": "Section Break",
			"label": _("TrueCraft BOM Rules"),
			"insert_after": "sourced_by_supplier",
			"collapsible": 0,
		},
		{
			"fieldname": "tc_setup_qty",
			"fieldtype": "Float",
			"label": _("Setup Qty"),
			"insert_after": "tc_section",
			"in_list_view": 1,
			"columns": 1,
			"non_negative": 1,
			"description": _(
				"Fixed loss per build in stock UOM (a purge, a test piece), added once per build, never per unit."
			),
		},
		{
			"fieldname": "tc_attrition",
			"fieldtype": "Percent",
			"label": _("Attrition %"),
			"insert_after": "tc_setup_qty",
			"in_list_view": 1,
			"columns": 1,
			"non_negative": 1,
			"description": _("Percentage lost in the build, from 0 up to (not including) 100."),
		},
		{
			"fieldname": "tc_rounding_multiple",
			"fieldtype": "Float",
			"label": _("Round Up To Multiple Of"),
			"insert_after": "tc_attrition",
			"non_negative": 1,
			"description": _(
				"Round the quantity needed up to a multiple of this (a pack size). Empty: no rounding."
			),
		},
		{
			"fieldname": "tc_column_break",
			"fieldtype": "Column Break",
			"insert_after": "tc_rounding_multiple",
		},
		{
			"fieldname": "tc_consumable",
			"fieldtype": "Check",
			"label": _("Consumable"),
			"insert_after": "tc_column_break",
			"in_list_view": 1,
			"columns": 1,
			"description": _(
				"Tracked in the BOM and its cost, but not taken from stock when the product is sold."
			),
		},
		{
			"fieldname": "tc_optional",
			"fieldtype": "Check",
			"label": _("Optional"),
			"insert_after": "tc_consumable",
			"in_list_view": 1,
			"columns": 1,
			"description": _("Left out of builds, costs and capacity unless asked for."),
		},
		{
			"fieldname": "tc_inherited",
			"fieldtype": "Check",
			"label": _("Inherited by Variants"),
			"insert_after": "tc_optional",
			"in_list_view": 1,
			"columns": 1,
			"description": _(
				"On a template's BOM: every variant uses this line too, live. A template component resolves to "
				"the variant with matching attributes."
			),
		},
		{
			"fieldname": "tc_reference",
			"fieldtype": "Data",
			"label": _("Reference"),
			"insert_after": "tc_inherited",
			"description": _("A designator or note for the line, e.g. R1, C3."),
		},
	],
	"Item": [
		{
			"fieldname": "tc_deplete_on_sale",
			"fieldtype": "Check",
			"label": _("Deplete Materials on Sale"),
			"insert_after": "is_stock_item",
			"description": _("Made to order: a sale consumes the materials of this item's BOM."),
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
	],
}

# Room in the BOM items grid for the columns above (the grid shows at most 10 column units).
PROPERTY_SETTERS = [
	{
		"doctype": "BOM Item",
		"fieldname": "item_code",
		"property": "columns",
		"value": "2",
		"property_type": "Int",
	},
	{"doctype": "BOM Item", "fieldname": "qty", "property": "columns", "value": "1", "property_type": "Int"},
	{
		"doctype": "BOM Item",
		"fieldname": "rate",
		"property": "in_list_view",
		"value": "0",
		"property_type": "Check",
	},
	{
		"doctype": "BOM Item",
		"fieldname": "amount",
		"property": "columns",
		"value": "1",
		"property_type": "Int",
	},
]
