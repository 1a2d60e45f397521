// TrueCraft BOM: helpers shared by the desk scripts (listed before each form script in hooks.doctype_js).
frappe.provide("truecraft_bom");

// Text that came from the server or the user, safe to put into HTML.
truecraft_bom.escape = (value) => frappe.utils.escape_html(value == null ? "" : String(value));

// A read-only API method, called with GET (the methods that only read accept GET, not POST).
truecraft_bom.get = (method, args) =>
	new Promise((resolve, reject) => {
		frappe.call({
			method: `truecraft_bom.api.${method}`,
			args,
			type: "GET",
			callback: (r) => resolve(r.message),
			error: (r) => reject(r),
		});
	});

truecraft_bom.qty = (value) => format_number(value, null, 3);

// Pills for a line's flags (consumable, non-stock, optional, inherited, substitutes).
truecraft_bom.flags_html = function (row) {
	const pill = (color, text) => `<span class="indicator-pill ${color}">${text}</span>`;
	const flags = [];
	if (row.consumable) flags.push(pill("blue", __("Consumable")));
	if (row.non_stock) flags.push(pill("gray", __("Non-stock")));
	if (row.optional) flags.push(pill("yellow", __("Optional")));
	if (row.inherited_from) {
		flags.push(
			pill("purple", __("Inherited from {0}", [truecraft_bom.escape(row.inherited_from)])),
		);
	}
	if (row.substitutes && row.substitutes.length) {
		const codes = row.substitutes.map(truecraft_bom.escape).join(", ");
		flags.push(pill("orange", __("Substitutes: {0}", [codes])));
	}
	return flags.join(" ");
};

// "Can make 53 with current stock (limited by X)" as plain text.
truecraft_bom.capacity_text = function (result) {
	const text =
		result.capacity === null
			? __("Can make: unlimited")
			: __("Can make {0} with current stock", [result.capacity]);
	if (!result.limiting || !result.limiting.length) return text;
	return `${text} (${__("limited by {0}", [result.limiting.join(", ")])})`;
};

// "New Revision" (BOM form, BOM builder): ask why, make a draft copy of the default BOM `bom` and a BOM
// Revision proposing it, and open the revision.
truecraft_bom.new_revision = function (bom) {
	frappe.prompt(
		[
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Reason for the change"),
				reqd: 1,
			},
		],
		(values) =>
			frappe
				.call({
					method: "truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision.make_revision",
					args: { bom, reason: values.reason },
					freeze: true,
				})
				.then((r) => frappe.set_route("Form", "BOM Revision", r.message)),
		__("New Revision of {0}", [truecraft_bom.escape(bom)]),
		__("Create"),
	);
};

// Whether this user may start a revision of a BOM shown with these fields.
truecraft_bom.can_revise = (doc) =>
	doc.docstatus === 1 &&
	!!doc.is_default &&
	!!doc.is_active &&
	frappe.model.can_create("BOM Revision") &&
	frappe.model.can_create("BOM");
