// Sales Depletion Ledger: which sale took which material out of stock, when, and through which entry.
frappe.query_reports["Sales Depletion Ledger"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_days(frappe.datetime.get_today(), -30),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
		{ fieldname: "item_code", label: __("Material"), fieldtype: "Link", options: "Item" },
		{
			fieldname: "sale_doctype",
			label: __("Sale Type"),
			fieldtype: "Select",
			options: ["", "Sales Invoice", "Delivery Note"],
		},
		{
			fieldname: "sale",
			label: __("Sale"),
			fieldtype: "Dynamic Link",
			options: "sale_doctype",
			depends_on: "sale_doctype",
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
	],
};
