// BOM Revision: links to both BOMs, the impact in one line, and only draft BOMs of the item as proposals.
frappe.provide("truecraft_bom.bom_revision");

frappe.ui.form.on("BOM Revision", {
	setup(frm) {
		frm.set_query("proposed_bom", () => ({
			filters: { item: frm.doc.item_code, docstatus: 0 },
		}));
	},
	refresh(frm) {
		for (const [fieldname, label] of [
			["proposed_bom", __("Proposed BOM")],
			["current_bom", __("Current BOM")],
		]) {
			if (frm.doc[fieldname]) {
				frm.add_custom_button(
					label,
					() => frappe.set_route("Form", "BOM", frm.doc[fieldname]),
					__("Open"),
				);
			}
		}
		truecraft_bom.bom_revision.show_impact(frm);
	},
});

// (common.js is not loaded on this form: escape with Frappe's own helper)
truecraft_bom.bom_revision.escape = (value) =>
	frappe.utils.escape_html(value == null ? "" : String(value));

truecraft_bom.bom_revision.show_impact = function (frm) {
	const doc = frm.doc;
	if (frm.is_new() || !doc.proposed_bom) return;
	const e = truecraft_bom.bom_revision.escape;
	const capacity = (value, unlimited) => (unlimited ? __("unlimited") : e(value));
	const cost = (value) => e(format_currency(value));
	frm.set_intro(
		__(
			"Cost per unit {0} → {1}; capacity {2} → {3}; {4} line changes; {5} open Work Orders on {6}",
			[
				cost(doc.cost_before),
				cost(doc.cost_after),
				capacity(doc.capacity_before, doc.capacity_before_unlimited),
				capacity(doc.capacity_after, doc.capacity_after_unlimited),
				(doc.changes || []).length,
				(doc.open_work_orders || []).length,
				e(doc.current_bom),
			],
		),
		"blue",
	);
};
