// TrueCraft BOM: the Stock Entries that made this note's made-to-order items, on the form.
frappe.ui.form.on("Delivery Note", {
	refresh(frm) {
		if (frm.doc.docstatus === 0) return;
		frappe.db
			.get_list("Stock Entry", {
				filters: { tc_source_doctype: "Delivery Note", tc_source_name: frm.doc.name },
				fields: ["name"],
			})
			.then((entries) => {
				if (!entries.length) return;
				const links = entries
					.map((e) => frappe.utils.get_form_link("Stock Entry", e.name, true))
					.join(", ");
				frm.dashboard.add_comment(
					__("Materials taken from stock by {0}", [links]),
					"blue",
					true,
				);
			});
	},
});
