// Production Capacity: how many of each product can be made now; a limiting material opens its runway.
frappe.query_reports["Production Capacity"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		{
			fieldname: "warehouse",
			label: __("Warehouse"),
			fieldtype: "Link",
			options: "Warehouse",
			description: __("Empty: all the company's warehouses, pooled"),
		},
		{ fieldname: "item_code", label: __("Item"), fieldtype: "Link", options: "Item" },
		{
			fieldname: "material",
			label: __("Uses Material"),
			fieldtype: "Link",
			options: "Item",
			description: __("Only products whose build needs this material, at any depth"),
		},
		{ fieldname: "below_target", label: __("Below Capacity Target"), fieldtype: "Check" },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "limiting" && data && data.limiting) {
			return data.limiting
				.split(", ")
				.map((code) => {
					const href = `/app/query-report/Material%20Runway?item_code=${encodeURIComponent(code)}`;
					return `<a href="${href}">${frappe.utils.escape_html(code)}</a>`;
				})
				.join(", ");
		}
		return default_formatter(value, row, column, data);
	},
};
