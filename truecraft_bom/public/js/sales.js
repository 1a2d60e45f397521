// TrueCraft BOM: on a draft Sales Order, Sales Invoice or Delivery Note, mark each made-to-order line that asks
// for more than can be made now (with the most that can be sold) and show one warning. Saving is never blocked.
frappe.provide("truecraft_bom.sales");

truecraft_bom.sales.CHILD = {
	"Sales Order": "Sales Order Item",
	"Sales Invoice": "Sales Invoice Item",
	"Delivery Note": "Delivery Note Item",
};

// Rows whose materials this document takes when submitted (or, on a Sales Order, a later delivery will).
truecraft_bom.sales.rows = function (frm) {
	return (frm.doc.items || []).filter((row) => {
		if (!row.item_code || !(flt(row.qty) > 0)) return false;
		if (frm.doctype === "Sales Invoice" && row.dn_detail) return false; // its Delivery Note took them
		if (frm.doctype === "Delivery Note" && row.against_sales_invoice) return false;
		return true;
	});
};

truecraft_bom.sales.check = function (frm) {
	const seq = (frm.__tc_sellable_seq = (frm.__tc_sellable_seq || 0) + 1);
	if (frm.doc.docstatus !== 0 || !frappe.model.can_read("Item")) {
		truecraft_bom.sales.show(frm, null);
		return;
	}
	const rows = truecraft_bom.sales.rows(frm);
	if (!rows.length) {
		truecraft_bom.sales.show(frm, null);
		return;
	}
	const args = {
		items: JSON.stringify(
			rows.map((row) => ({
				item_code: row.item_code,
				warehouse: row.warehouse || null,
				qty: flt(row.qty) * (flt(row.conversion_factor) || 1),
			})),
		),
		company: frm.doc.company || null,
	};
	// without Update Stock an invoice issues the materials for every unit: no finished stock is used
	if (frm.doctype === "Sales Invoice" && !frm.doc.update_stock) args.use_finished_stock = 0;
	truecraft_bom.get("sellable", args).then((result) => {
		if (seq !== frm.__tc_sellable_seq) return; // the lines changed again: a newer answer follows
		const by_row = {};
		rows.forEach((row, i) => (by_row[row.name] = result.items[i]));
		truecraft_bom.sales.show(frm, { result, by_row });
	});
};

truecraft_bom.sales.schedule = function (frm) {
	if (!frm.__tc_sellable_check) {
		frm.__tc_sellable_check = frappe.utils.debounce(() => truecraft_bom.sales.check(frm), 300);
	}
	frm.__tc_sellable_check();
};

// Mark the short rows and set (or clear) the one warning; ``state`` null clears everything.
truecraft_bom.sales.show = function (frm, state) {
	const e = truecraft_bom.escape;
	const grid = frm.fields_dict.items && frm.fields_dict.items.grid;
	frm.__tc_sellable_state = state;
	const short = [];
	for (const row of frm.doc.items || []) {
		const answer = state && state.by_row[row.name];
		const is_short = Boolean(answer && answer.short);
		if (is_short) short.push({ row, answer });
		const grid_row = grid && grid.grid_rows_by_docname && grid.grid_rows_by_docname[row.name];
		if (!grid_row || !grid_row.wrapper) continue;
		const $wrapper = $(grid_row.wrapper);
		$wrapper.find(".tc-sale-flag").remove();
		$wrapper.toggleClass("tc-sale-short", is_short);
		if (!is_short) {
			$wrapper.removeAttr("data-tc-sellable").removeAttr("title");
			continue;
		}
		const text = truecraft_bom.sales.flag_text(answer);
		$wrapper.attr("data-tc-sellable", answer.sellable == null ? "" : answer.sellable);
		$wrapper.attr("title", text);
		$wrapper.find(".data-row").first().after(`<div class="tc-sale-flag text-danger small">
			<span class="indicator-pill red">${__("Short")}</span> ${e(text)}</div>`);
	}
	truecraft_bom.sales.style();
	const shortfalls = (state && state.result.shortfalls) || [];
	truecraft_bom.sales.clear_warning(frm);
	if (!short.length && !shortfalls.length) return;
	const lines = short.map(({ row, answer }) => {
		const most =
			answer.error && !flt(answer.sellable)
				? __("none can be made now")
				: __("only {0} can be made now", [truecraft_bom.sales.num(answer.sellable)]);
		return `<li>${__("Row {0}: {1}: {2} ordered, {3}", [
			row.idx,
			`<b>${e(row.item_code)}</b>`,
			truecraft_bom.sales.num(answer.ordered),
			e(most),
		])}</li>`;
	});
	for (const s of shortfalls) {
		lines.push(
			`<li>${__("Together the lines need {0} of {1}; {2} available", [
				truecraft_bom.sales.num(s.needed),
				`<b>${s.items.map(e).join(" / ")}</b>`,
				truecraft_bom.sales.num(s.available),
			])}</li>`,
		);
	}
	const fails =
		state.result.deplete_on_sale && frm.doctype !== "Sales Order"
			? ` ${__("Submitting will fail until there is more stock; the draft can be saved.")}`
			: "";
	frm.dashboard.set_headline_alert(
		`<div class="tc-sale-warning">${__(
			"Not enough materials to make these made-to-order lines now.",
		)}${fails}<ul>${lines.join("")}</ul></div>`,
		"orange",
	);
};

// Remove this script's warning only: the form's other messages stay.
truecraft_bom.sales.clear_warning = function (frm) {
	const $messages = $(frm.layout.message);
	$messages.find(".tc-sale-warning").closest(".form-message").remove();
	if (!$messages.children().length) $messages.addClass("hidden");
};

// 53, or 2.5: whole quantities without decimals.
truecraft_bom.sales.num = (value) => format_number(value, null, flt(value) % 1 ? 3 : 0);

truecraft_bom.sales.flag_text = function (answer) {
	if (answer.error && !flt(answer.sellable)) return __("Cannot be made now");
	return __("Can make only {0} now", [truecraft_bom.sales.num(answer.sellable)]);
};

truecraft_bom.sales.style = function () {
	if (truecraft_bom.sales.styled) return;
	truecraft_bom.sales.styled = true;
	frappe.dom.set_style(`
		.grid-row.tc-sale-short > .data-row { box-shadow: inset 3px 0 0 var(--red-500); }
		.grid-row .tc-sale-flag { padding: 2px 12px 6px 40px; }
	`);
};

for (const [doctype, child] of Object.entries(truecraft_bom.sales.CHILD)) {
	frappe.ui.form.on(doctype, {
		refresh(frm) {
			truecraft_bom.sales.schedule(frm);
		},
		company: (frm) => truecraft_bom.sales.schedule(frm),
		set_warehouse: (frm) => truecraft_bom.sales.schedule(frm),
		update_stock: (frm) => truecraft_bom.sales.schedule(frm),
	});
	frappe.ui.form.on(child, {
		item_code: (frm) => truecraft_bom.sales.schedule(frm),
		qty: (frm) => truecraft_bom.sales.schedule(frm),
		warehouse: (frm) => truecraft_bom.sales.schedule(frm),
		conversion_factor: (frm) => truecraft_bom.sales.schedule(frm),
		items_remove: (frm) => truecraft_bom.sales.schedule(frm),
	});
}
