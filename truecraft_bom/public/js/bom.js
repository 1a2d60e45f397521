// TrueCraft BOM: "Explode", "Capacity" and "New Revision" on the BOM form, and a warning when a released
// BOM's lines drifted from what its revision approved.
frappe.provide("truecraft_bom.bom");

frappe.ui.form.on("BOM", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.item) return;
		truecraft_bom.bom.revision_refresh(frm);
		const group = __("TrueCraft");
		frm.add_custom_button(
			__("Explode"),
			() => truecraft_bom.bom.explode_dialog(frm.doc.item, frm.doc.quantity || 1),
			group,
		);
		frm.add_custom_button(
			__("Capacity"),
			() => truecraft_bom.bom.capacity_dialog(frm.doc.item),
			group,
		);
		frm.add_custom_button(
			__("Visual Builder"),
			() =>
				frappe.router.push_state(
					`/app/bom-builder?bom=${encodeURIComponent(frm.doc.name)}`,
				),
			group,
		);
	},
});

truecraft_bom.bom.tree_rows = function (node, depth) {
	const e = truecraft_bom.escape;
	let html = `<tr><td style="padding-left:${depth * 18}px">${e(node.item_code)}</td>
		<td class="text-right">${truecraft_bom.qty(node.qty)}</td>
		<td>${truecraft_bom.flags_html(node)}</td></tr>`;
	for (const child of node.children || []) html += truecraft_bom.bom.tree_rows(child, depth + 1);
	return html;
};

truecraft_bom.bom.explode_dialog = function (item_code, qty) {
	const e = truecraft_bom.escape;
	const dialog = new frappe.ui.Dialog({
		title: __("Explode {0}", [e(item_code)]),
		size: "large",
		fields: [
			{ fieldname: "qty", fieldtype: "Float", label: __("Quantity"), default: qty, reqd: 1 },
			{
				fieldname: "include_optional",
				fieldtype: "Check",
				label: __("Include optional lines"),
			},
			{ fieldname: "result", fieldtype: "HTML" },
		],
		primary_action_label: __("Explode"),
		primary_action(values) {
			const args = {
				item_code,
				qty: values.qty,
				include_optional: values.include_optional ? 1 : 0,
			};
			Promise.all([
				truecraft_bom.get("tree", args),
				truecraft_bom.get("explode", args),
			]).then(([tree, flat]) => {
				const rows = flat.requirements
					.map(
						(r) => `<tr><td>${e(r.item_code)}</td>
						<td class="text-right">${truecraft_bom.qty(r.qty)}</td>
						<td>${truecraft_bom.flags_html(r)}</td></tr>`,
					)
					.join("");
				dialog.fields_dict.result.$wrapper.html(`
					<h5>${__("Requirement tree")}</h5>
					<table class="table table-bordered table-condensed truecraft-tree">
						<tbody>${truecraft_bom.bom.tree_rows(tree, 0)}</tbody></table>
					<h5>${__("Materials for one build (shared sub-assemblies built once)")}</h5>
					<table class="table table-bordered table-condensed truecraft-materials">
						<thead><tr><th>${__("Item")}</th><th class="text-right">${__("Qty")}</th>
						<th></th></tr></thead>
						<tbody>${rows}</tbody></table>`);
			});
		},
	});
	dialog.show();
	dialog.get_primary_btn().trigger("click");
};

truecraft_bom.bom.capacity_dialog = function (item_code) {
	const e = truecraft_bom.escape;
	const dialog = new frappe.ui.Dialog({
		title: __("Capacity of {0}", [e(item_code)]),
		fields: [
			{
				fieldname: "warehouse",
				fieldtype: "Link",
				options: "Warehouse",
				label: __("Materials from warehouse"),
				description: __("Empty: all warehouses"),
			},
			{
				fieldname: "use_subassembly_stock",
				fieldtype: "Check",
				label: __("Use sub-assemblies on hand first"),
			},
			{ fieldname: "result", fieldtype: "HTML" },
		],
		primary_action_label: __("Calculate"),
		primary_action(values) {
			truecraft_bom
				.get("capacity", {
					item_code,
					warehouse: values.warehouse,
					use_subassembly_stock: values.use_subassembly_stock ? 1 : 0,
				})
				.then((r) => {
					const headline =
						r.capacity === null
							? __("Unlimited: nothing in this BOM is stock-tracked")
							: __("With current stock you can make {0} {1}", [
									r.capacity,
									e(item_code),
								]);
					const limiting = r.limiting.length
						? `<p>${__("Limited by")}: ${r.limiting.map(e).join(", ")}</p>`
						: "";
					dialog.fields_dict.result.$wrapper.html(
						`<h4 class="truecraft-capacity">${headline}</h4>${limiting}`,
					);
				});
		},
	});
	dialog.show();
	dialog.get_primary_btn().trigger("click");
};

truecraft_bom.bom.revision_refresh = function (frm) {
	const doc = frm.doc;
	if (truecraft_bom.can_revise(doc)) {
		frm.add_custom_button(__("New Revision"), () => truecraft_bom.new_revision(frm.doc.name));
	}
	const drift = doc.__onload && doc.__onload.tc_revision_drift;
	if (drift) {
		const link = `<a href="/app/bom-revision/${encodeURIComponent(drift.revision)}">${truecraft_bom.escape(drift.revision)}</a>`;
		frm.set_intro(
			__(
				"The effective lines of this BOM no longer match what {0} approved: a line it inherits from its template's BOM changed. Review them with a new revision.",
				[link],
			),
			"orange",
		);
	}
};
