// TrueCraft Settings: rebuild every Production Capacity record on request (Stock Manager, System Manager).
frappe.ui.form.on("TrueCraft Settings", {
	refresh(frm) {
		if (!frappe.user.has_role(["Stock Manager", "System Manager"])) return;
		frm.add_custom_button(__("Rebuild Production Capacity"), () => {
			frappe.call({ method: "truecraft_bom.api.rebuild_capacity", type: "POST" }).then(() =>
				frappe.show_alert({
					message: __("Production Capacity is being rebuilt in the background"),
					indicator: "green",
				}),
			);
		});
	},
});
