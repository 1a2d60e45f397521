// TrueCraft BOM: how many of a manufactured item can be made now, in the Item dashboard.
frappe.ui.form.on("Item", {
	refresh(frm) {
		if (frm.is_new()) return;
		const builder_button = () => {
			if (!frappe.model.can_read("BOM")) return;
			frm.add_custom_button(__("Visual Builder"), () =>
				frappe.router.push_state(
					`/app/bom-builder?item=${encodeURIComponent(frm.doc.name)}`,
				),
			);
		};
		if (frm.doc.default_bom) builder_button();
		if (frm.doc.has_variants) return;
		truecraft_bom.get("item_capacity", { item_code: frm.doc.name }).then((r) => {
			if (!r.buildable) return;
			if (!frm.doc.default_bom) builder_button(); // a variant that inherits its template's lines
			// add_indicator puts its label into HTML: escape the item codes it names
			frm.dashboard.add_indicator(
				truecraft_bom.escape(truecraft_bom.capacity_text(r)),
				r.capacity === 0 ? "red" : "green",
			);
		});
	},
});
