// TrueCraft Settings: rebuild every Production Capacity record on request (Stock Manager, System Manager);
// give a company's Work In Progress warehouse its own account (Accounts Manager, System Manager).
frappe.ui.form.on("TrueCraft Settings", {
	refresh(frm) {
		if (frappe.user.has_role(["Accounts Manager", "System Manager"])) {
			frm.add_custom_button(__("Set Up Work In Progress Account"), () => {
				frappe.prompt(
					{
						fieldname: "company",
						fieldtype: "Link",
						options: "Company",
						label: __("Company"),
						reqd: 1,
						default: frappe.defaults.get_user_default("Company"),
					},
					({ company }) =>
						frappe
							.call({
								method: "truecraft_bom.api.set_up_wip_account",
								type: "POST",
								args: { company },
							})
							.then(({ message }) =>
								frappe.show_alert({
									message: __("{0} now posts to {1}", [
										message.warehouse,
										message.account,
									]),
									indicator: "green",
								}),
							),
					__("Set Up Work In Progress Account"),
					__("Set Up"),
				);
			});
		}
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
