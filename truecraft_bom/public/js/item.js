// TrueCraft BOM: how many of a manufactured item can be made now, in the Item dashboard.
frappe.ui.form.on("Item", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.has_variants) return;
		truecraft_bom.get("item_capacity", { item_code: frm.doc.name }).then((r) => {
			if (!r.buildable) return;
			// add_indicator puts its label into HTML: escape the item codes it names
			frm.dashboard.add_indicator(
				truecraft_bom.escape(truecraft_bom.capacity_text(r)),
				r.capacity === 0 ? "red" : "green",
			);
		});
	},
});
