// TrueCraft BOM: "Explode" and "Capacity" on the BOM form.
frappe.ui.form.on("BOM", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.item) return;
		const group = __("TrueCraft");
		frm.add_custom_button(__("Explode"), () => truecraft_bom_explode_dialog(frm.doc.item, frm.doc.quantity || 1), group);
		frm.add_custom_button(__("Capacity"), () => truecraft_bom_capacity_dialog(frm.doc.item), group);
	},
});

function truecraft_bom_flags(row) {
	const flags = [];
	if (row.consumable) flags.push(`<span class="indicator-pill blue">${__("Consumable")}</span>`);
	if (row.non_stock) flags.push(`<span class="indicator-pill gray">${__("Non-stock")}</span>`);
	if (row.optional) flags.push(`<span class="indicator-pill yellow">${__("Optional")}</span>`);
	if (row.inherited_from) flags.push(`<span class="indicator-pill purple">${__("Inherited from {0}", [frappe.utils.escape_html(row.inherited_from)])}</span>`);
	if (row.substitutes && row.substitutes.length)
		flags.push(`<span class="indicator-pill orange">${__("Substitutes: {0}", [row.substitutes.map(frappe.utils.escape_html).join(", ")])}</span>`);
	return flags.join(" ");
}

function truecraft_bom_tree_html(node, depth) {
	const pad = depth * 18;
	let html = `<tr><td style="padding-left:${pad}px">${frappe.utils.escape_html(node.item)}</td>
		<td class="text-right">${format_number(node.qty, null, 3)}</td><td>${truecraft_bom_flags(node)}</td></tr>`;
	(node.children || []).forEach((child) => (html += truecraft_bom_tree_html(child, depth + 1)));
	return html;
}

function truecraft_bom_explode_dialog(item_code, qty) {
	const dialog = new frappe.ui.Dialog({
		title: __("Explode {0}", [item_code]),
		size: "large",
		fields: [
			{ fieldname: "qty", fieldtype: "Float", label: __("Quantity"), default: qty, reqd: 1 },
			{ fieldname: "include_optional", fieldtype: "Check", label: __("Include optional lines") },
			{ fieldname: "col", fieldtype: "Column Break" },
			{ fieldname: "warehouse", fieldtype: "Link", options: "Warehouse", label: __("Stock from warehouse") },
			{ fieldname: "result", fieldtype: "HTML" },
		],
		primary_action_label: __("Explode"),
		primary_action(values) {
			const args = { item_code, qty: values.qty, include_optional: values.include_optional ? 1 : 0 };
			Promise.all([
				frappe.xcall("truecraft_bom.api.tree", args),
				frappe.xcall("truecraft_bom.api.explode", { ...args, warehouse: values.warehouse }),
			]).then(([tree, flat]) => {
				const rows = flat.requirements
					.map((r) => `<tr><td>${frappe.utils.escape_html(r.item_code)}</td>
						<td class="text-right">${format_number(r.qty, null, 3)}</td><td>${truecraft_bom_flags(r)}</td></tr>`)
					.join("");
				dialog.fields_dict.result.$wrapper.html(`
					<h5>${__("Requirement tree")}</h5>
					<table class="table table-bordered table-condensed"><tbody>${truecraft_bom_tree_html(tree, 0)}</tbody></table>
					<h5>${__("Materials for one build (shared sub-assemblies built once)")}</h5>
					<table class="table table-bordered table-condensed">
						<thead><tr><th>${__("Item")}</th><th class="text-right">${__("Qty")}</th><th></th></tr></thead>
						<tbody>${rows}</tbody></table>`);
			});
		},
	});
	dialog.show();
	dialog.get_primary_btn().trigger("click");
}

function truecraft_bom_capacity_dialog(item_code) {
	const dialog = new frappe.ui.Dialog({
		title: __("Capacity of {0}", [item_code]),
		fields: [
			{ fieldname: "warehouse", fieldtype: "Link", options: "Warehouse", label: __("Materials from warehouse"),
				description: __("Empty: all warehouses") },
			{ fieldname: "use_subassembly_stock", fieldtype: "Check", label: __("Use sub-assemblies on hand first") },
			{ fieldname: "result", fieldtype: "HTML" },
		],
		primary_action_label: __("Calculate"),
		primary_action(values) {
			frappe
				.xcall("truecraft_bom.api.capacity", {
					item_code,
					warehouse: values.warehouse,
					use_subassembly_stock: values.use_subassembly_stock ? 1 : 0,
				})
				.then((r) => {
					const headline =
						r.capacity === null
							? __("Unlimited: nothing in this BOM is stock-tracked")
							: __("With current stock you can make {0} {1}", [r.capacity, frappe.utils.escape_html(item_code)]);
					const limiting = r.limiting.length
						? `<p>${__("Limited by")}: ${r.limiting.map(frappe.utils.escape_html).join(", ")}</p>`
						: "";
					dialog.fields_dict.result.$wrapper.html(`<h4>${headline}</h4>${limiting}`);
				});
		},
	});
	dialog.show();
	dialog.get_primary_btn().trigger("click");
}
