// Material Runway: how long each material lasts; the products it affects open Production Capacity.
frappe.query_reports["Material Runway"] = {
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
		},
		{ fieldname: "item_code", label: __("Material"), fieldtype: "Link", options: "Item" },
		{
			fieldname: "days",
			label: __("Depletion Over Last (Days)"),
			fieldtype: "Int",
			default: 30,
		},
		{
			fieldname: "at_risk",
			label: __("At Risk Only"),
			fieldtype: "Check",
			description: __("At reorder level, or runs out before a new order can arrive"),
		},
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "products" && data && data.products) {
			const href = `/app/query-report/Production%20Capacity?material=${encodeURIComponent(
				data.item_code,
			)}`;
			return `<a href="${href}">${Number(data.products) || 0}</a>`;
		}
		return default_formatter(value, row, column, data);
	},
};
