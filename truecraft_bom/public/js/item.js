// TrueCraft BOM: how many of a manufactured item can be made now, in the Item dashboard.
frappe.ui.form.on("Item", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.has_variants) return;
		frappe
			.xcall("truecraft_bom.api.item_capacity", { item_code: frm.doc.name })
			.then((r) => {
				if (!r.buildable) return;
				const text =
					r.capacity === null
						? __("Can make: unlimited")
						: __("Can make {0} with current stock", [r.capacity]);
				const color = r.capacity === 0 ? "red" : "green";
				frm.dashboard.add_indicator(
					r.limiting.length ? `${text} (${__("limited by")} ${r.limiting.join(", ")})` : text,
					color
				);
			});
	},
});
