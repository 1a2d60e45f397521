// TrueCraft BOM: the visual BOM builder, /app/bom-builder?bom=<BOM> or ?item=<item code>.
// The whole multi-level tree with each line's quantity, flags, substitutes and cost, the cost roll-up and the
// capacity; a draft BOM is edited in place (the preview follows as you type) and saved through the document.
// common.js (the truecraft_bom namespace) is appended to this script by hooks.page_js.
frappe.provide("truecraft_bom.builder");

frappe.pages["bom-builder"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({
		parent: wrapper,
		title: __("BOM Builder"),
		single_column: true,
	});
	wrapper.builder = new truecraft_bom.builder.Builder(page);
};

frappe.pages["bom-builder"].on_page_show = function (wrapper) {
	const options = Object.assign({}, frappe.utils.get_query_params(), frappe.route_options || {});
	frappe.route_options = null;
	wrapper.builder.open(options);
};

// The line fields the builder edits, as (field, kind).
truecraft_bom.builder.NUMBERS = ["qty", "tc_setup_qty", "tc_attrition"];
truecraft_bom.builder.CHECKS = ["tc_consumable", "tc_optional", "tc_inherited"];

// An item's name when it says more than its code.
truecraft_bom.builder.name = (code, name) => (name && name !== code ? name : "");

truecraft_bom.builder.Builder = class Builder {
	constructor(page) {
		this.page = page;
		this.seq = 0;
		this.qty = 1;
		this.dirty = false;
		this.$body = $(`<div class="tc-builder">
			<div class="tc-builder-head"></div>
			<div class="tc-builder-totals"></div>
			<div class="tc-builder-main">
				<table class="table table-condensed tc-builder-lines"></table>
				<div class="tc-builder-add-wrap"></div>
			</div>
		</div>`).appendTo(page.main);
		this.$head = this.$body.find(".tc-builder-head");
		this.$table = this.$body.find(".tc-builder-lines");
		this.$totals = this.$body.find(".tc-builder-totals");
		this.refresh_soon = frappe.utils.debounce(() => this.refresh_preview(), 300);
		this.bind_events();
	}

	open(options) {
		const key = options.bom
			? `bom:${options.bom}`
			: options.item
				? `item:${options.item}`
				: null;
		if (!key) {
			if (!this.data) {
				this.$head.html(
					`<p class="text-muted">${__(
						"Open the builder from a BOM (TrueCraft > Visual Builder) or from a manufactured item.",
					)}</p>`,
				);
			}
			return;
		}
		if (key === this.key && this.dirty) return; // back on the page with unsaved edits: keep them
		this.key = key;
		this.load({ bom: options.bom, item_code: options.bom ? null : options.item });
	}

	load(args) {
		return frappe
			.call({ method: "truecraft_bom.builder.load", args, type: "GET" })
			.then((r) => this.set_data(r.message));
	}

	set_data(data) {
		this.data = data;
		this.lines = data.lines.map((line) => Object.assign({}, line));
		this.quantity = data.quantity;
		this.expanded = new Set();
		this.dirty = false;
		this.seq += 1;
		this.render();
		this.show_preview(data.preview);
	}

	get editable() {
		return Boolean(this.data && this.data.docstatus === 0 && this.data.can_write);
	}

	// ---- layout -------------------------------------------------------------------------------

	render() {
		const e = truecraft_bom.escape;
		const data = this.data;
		this.page.set_title(__("BOM Builder: {0}", [e(data.item_code)]));
		this.set_indicator();
		this.set_actions();
		const bom_link = data.bom
			? `<a href="/app/bom/${encodeURIComponent(data.bom)}">${e(data.bom)}</a>`
			: `<span class="text-muted">${__("no BOM of its own")}</span>`;
		const quantity = this.editable
			? `<input type="number" min="0" step="any" class="form-control input-xs tc-builder-quantity"
				value="${e(data.quantity)}">`
			: `<b class="tc-builder-quantity-text">${truecraft_bom.qty(data.quantity)}</b>`;
		this.$head.html(`
			<div class="tc-builder-header" data-bom="${e(data.bom || "")}"
				data-docstatus="${e(data.docstatus)}">
				<div>
					<span class="text-muted">${__("Item")}</span>
					<a href="/app/item/${encodeURIComponent(data.item_code)}"><b>${e(data.item_code)}</b></a>
					<span class="text-muted">${e(truecraft_bom.builder.name(data.item_code, data.item_name))}</span>
				</div>
				<div><span class="text-muted">${__("BOM")}</span> ${bom_link}
					<span class="tc-builder-status"></span></div>
				<div class="tc-builder-batch">
					<label>${__("Lines make")}</label> ${quantity}
					<span class="text-muted">${e(data.uom || "")}</span>
				</div>
				<div class="tc-builder-build">
					<label>${__("Show needs and cost for")}</label>
					<input type="number" min="0" step="any" class="form-control input-xs tc-builder-qty"
						value="${e(this.qty)}">
					<span class="text-muted">${__("units")}</span>
				</div>
			</div>`);
		this.$head.find(".tc-builder-status").html(this.status_html());
		this.render_lines();
	}

	status_html() {
		const status = { 0: ["orange", __("Draft")], 1: ["blue", __("Submitted")] }[
			this.data.docstatus
		] || ["red", __("Cancelled")];
		if (this.data.docstatus == null) return "";
		const pills = [`<span class="indicator-pill ${status[0]}">${status[1]}</span>`];
		if (this.data.is_default && this.data.docstatus === 1)
			pills.push(`<span class="indicator-pill green">${__("Default")}</span>`);
		if (this.data.docstatus === 1 && !this.data.is_active) {
			pills.push(`<span class="indicator-pill gray">${__("Not active")}</span>`);
		}
		return pills.join(" ");
	}

	set_indicator() {
		if (this.dirty) {
			this.page.set_indicator(__("Not Saved"), "orange");
		} else if (this.data.docstatus === 0) {
			this.page.set_indicator(__("Draft"), "orange");
		} else if (this.data.docstatus === 1) {
			this.page.set_indicator(__("Submitted"), "blue");
		} else if (this.data.docstatus === 2) {
			this.page.set_indicator(__("Cancelled"), "red");
		} else {
			this.page.clear_indicator();
		}
	}

	set_actions() {
		const page = this.page;
		page.clear_primary_action();
		page.clear_secondary_action();
		page.btn_primary.removeClass("tc-builder-save tc-builder-new-version");
		if (this.editable) {
			page.set_primary_action(__("Save"), () => this.save());
			page.btn_primary.addClass("tc-builder-save");
		} else if (this.data.docstatus >= 1 && this.data.can_create) {
			page.set_primary_action(__("New Version"), () => this.new_version());
			page.btn_primary.addClass("tc-builder-new-version");
		}
		if (this.data.bom) {
			page.set_secondary_action(__("Open BOM"), () =>
				frappe.set_route("Form", "BOM", this.data.bom),
			);
		}
		page.clear_inner_toolbar();
		if (this.data.bom && truecraft_bom.can_revise(this.data)) {
			page.add_inner_button(__("New Revision"), () =>
				truecraft_bom.new_revision(this.data.bom),
			);
		}
	}

	render_lines() {
		const editable = this.editable;
		const check_label = {
			tc_consumable: __("Consumable"),
			tc_optional: __("Optional"),
			tc_inherited: __("Inherited"),
		};
		this.$table.html(`<thead><tr>
			<th class="tc-col-drag"></th>
			<th>${__("Item")}</th>
			<th class="text-right">${__("Qty")}</th>
			<th>${__("UOM")}</th>
			<th class="text-right">${__("Setup Qty")}</th>
			<th class="text-right">${__("Attrition %")}</th>
			${truecraft_bom.builder.CHECKS.map(
				(field) => `<th class="tc-col-check" title="${check_label[field]}">
					${check_label[field]}</th>`,
			).join("")}
			<th class="text-right tc-col-need">${__("Needed")}</th>
			<th class="text-right">${__("Cost")}</th>
			<th></th>
		</tr></thead>`);
		this.lines.forEach((line, idx) => this.$table.append(this.line_body(line, idx)));
		const $add = this.$body.find(".tc-builder-add-wrap").empty();
		if (editable) {
			$(`<button class="btn btn-xs btn-default tc-builder-add">
				${frappe.utils.icon("add", "xs")} ${__("Add line")}</button>`).appendTo($add);
		}
		if (!this.lines.length && !editable) {
			this.$table.append(`<tbody><tr><td colspan="12" class="text-muted">
				${__("This item has no BOM lines of its own.")}</td></tr></tbody>`);
		}
		this.make_sortable();
	}

	line_body(line, idx) {
		const e = truecraft_bom.escape;
		const disabled = this.editable ? "" : "disabled";
		const number = (field) => `<td class="text-right"><input type="number" step="any" min="0"
			class="form-control input-xs tc-input" data-field="${field}"
			value="${e(line[field] == null ? "" : line[field])}" ${disabled}></td>`;
		const check = (field) => `<td class="tc-col-check"><input type="checkbox" class="tc-input"
			data-field="${field}" ${line[field] ? "checked" : ""} ${disabled}></td>`;
		const $body = $(`<tbody class="tc-builder-line" data-idx="${idx}"
				data-item="${e(line.item_code || "")}">
			<tr class="tc-line-edit">
				<td class="tc-col-drag">${
					this.editable
						? `<span class="tc-drag" title="${__("Drag to reorder")}">${frappe.utils.icon(
								"drag",
								"xs",
							)}</span>`
						: ""
				}</td>
				<td class="tc-col-item">
					<span class="tc-toggle" title="${__("Show its lines")}"></span>
					<div class="tc-item-control"></div>
					<div class="tc-item-name small text-muted">${e(truecraft_bom.builder.name(line.item_code, line.item_name))}</div>
					<div class="tc-flags"></div>
				</td>
				${number("qty")}
				<td class="tc-col-uom">${e(line.uom || line.stock_uom || "")}</td>
				${number("tc_setup_qty")}
				${number("tc_attrition")}
				${truecraft_bom.builder.CHECKS.map(check).join("")}
				<td class="text-right tc-col-need"></td>
				<td class="text-right tc-col-cost"></td>
				<td class="tc-col-remove">${
					this.editable
						? `<button class="btn btn-xs btn-default tc-remove"
							title="${__("Remove line")}">${frappe.utils.icon("delete", "xs")}</button>`
						: ""
				}</td>
			</tr>
		</tbody>`);
		$body.data("line", line);
		const $item = $body.find(".tc-item-control");
		if (this.editable) {
			const control = frappe.ui.form.make_control({
				parent: $item,
				df: {
					fieldtype: "Link",
					options: "Item",
					fieldname: "item_code",
					placeholder: __("Item"),
					get_query: () => ({ filters: { disabled: 0 } }),
					onchange: () => this.item_changed(line, $body, control.get_value() || ""),
				},
				render_input: true,
				only_input: true,
			});
			control.set_input(line.item_code || "");
			$body.data("control", control);
		} else {
			$item.html(
				`<a href="/app/item/${encodeURIComponent(line.item_code)}">${e(line.item_code)}</a>`,
			);
		}
		return $body;
	}

	make_sortable() {
		if (this.sortable) this.sortable.destroy();
		this.sortable = null;
		if (!this.editable || !window.Sortable) return;
		this.sortable = new window.Sortable(this.$table.get(0), {
			handle: ".tc-drag",
			draggable: ".tc-builder-line",
			animation: 150,
			onEnd: () => {
				this.lines = this.$table
					.find(".tc-builder-line")
					.toArray()
					.map((body) => $(body).data("line"));
				this.render_lines();
				this.changed();
			},
		});
	}

	// ---- editing ------------------------------------------------------------------------------

	bind_events() {
		this.$body.on("input change", ".tc-builder-line .tc-input", (event) => {
			const $input = $(event.currentTarget);
			const line = $input.closest(".tc-builder-line").data("line");
			const field = $input.attr("data-field");
			if (!line || !field) return;
			line[field] =
				$input.attr("type") === "checkbox"
					? $input.prop("checked")
						? 1
						: 0
					: $input.val();
			this.changed();
		});
		this.$body.on("input", ".tc-builder-quantity", (event) => {
			this.quantity = $(event.currentTarget).val();
			this.changed();
		});
		this.$body.on("input", ".tc-builder-qty", (event) => {
			this.qty = $(event.currentTarget).val();
			this.seq += 1;
			this.refresh_soon();
		});
		this.$body.on("click", ".tc-remove", (event) => {
			const line = $(event.currentTarget).closest(".tc-builder-line").data("line");
			this.lines = this.lines.filter((other) => other !== line);
			this.render_lines();
			this.changed();
		});
		this.$body.on("click", ".tc-builder-add", () => this.add_line());
		this.$body.on("click", ".tc-toggle.tc-has-children", (event) => {
			const $body = $(event.currentTarget).closest("tbody");
			const key = $body.attr("data-key");
			if (this.expanded.has(key)) this.expanded.delete(key);
			else this.expanded.add(key);
			this.toggle_rows($body);
		});
	}

	add_line() {
		const line = {
			item_code: "",
			qty: 1,
			conversion_factor: 1,
			tc_setup_qty: 0,
			tc_attrition: 0,
		};
		truecraft_bom.builder.CHECKS.forEach((field) => (line[field] = 0));
		this.lines.push(line);
		this.render_lines();
		const control = this.$table.find(".tc-builder-line").last().data("control");
		if (control) control.$input.focus();
		this.changed();
	}

	item_changed(line, $body, value) {
		if (value === (line.item_code || "")) return;
		line.item_code = value;
		// another item: its UOM (and what ERPNext fills in from it) comes with it when the BOM is saved
		line.uom = "";
		line.stock_uom = "";
		line.item_name = "";
		line.conversion_factor = 1;
		$body.attr("data-item", value);
		$body.find(".tc-item-name").text("");
		$body.find(".tc-col-uom").text("");
		this.changed();
	}

	changed() {
		this.dirty = true;
		this.seq += 1; // answers to earlier previews describe other lines: ignore them
		this.set_indicator();
		this.refresh_soon();
	}

	payload_lines() {
		const fields = [
			"name",
			"item_code",
			"qty",
			"conversion_factor",
			"tc_setup_qty",
			"tc_attrition",
			"tc_rounding_multiple",
			"tc_reference",
			"tc_note",
			"do_not_explode",
			...truecraft_bom.builder.CHECKS,
		];
		return this.lines.map((line) => {
			const out = {};
			fields.forEach((field) => (out[field] = line[field] == null ? null : line[field]));
			return out;
		});
	}

	refresh_preview() {
		if (!this.data) return;
		const seq = this.seq;
		const args = { item_code: this.data.item_code, qty: this.qty || 0 };
		if (this.data.bom) {
			args.quantity = this.quantity;
			args.lines = JSON.stringify(this.payload_lines());
		}
		this.$body.addClass("tc-builder-busy");
		frappe.call({ method: "truecraft_bom.builder.preview", args, type: "POST" }).then((r) => {
			if (seq !== this.seq) return; // edited again since: a newer preview follows
			this.$body.removeClass("tc-builder-busy");
			this.show_preview(r.message);
		});
	}

	save() {
		if (!this.editable) return;
		const args = {
			bom: this.data.bom,
			lines: JSON.stringify(this.payload_lines().filter((line) => line.item_code)),
			quantity: this.quantity,
			modified: this.data.modified,
		};
		return frappe
			.call({
				method: "truecraft_bom.builder.save",
				args,
				freeze: true,
				freeze_message: __("Saving"),
			})
			.then((r) => {
				frappe.show_alert({ message: __("Saved"), indicator: "green" });
				return this.load({ bom: r.message.bom });
			});
	}

	new_version() {
		return frappe
			.call({
				method: "truecraft_bom.builder.new_version",
				args: { bom: this.data.bom },
				freeze: true,
			})
			.then((r) => {
				const bom = r.message.bom;
				frappe.show_alert({
					message: __("New draft {0}", [truecraft_bom.escape(bom)]),
					indicator: "green",
				});
				// the page shows again for the new address and loads the draft
				frappe.router.push_state(`/app/bom-builder?bom=${encodeURIComponent(bom)}`);
			});
	}

	// ---- results ------------------------------------------------------------------------------

	show_preview(preview) {
		this.preview = preview;
		this.$body.removeClass("tc-builder-busy");
		const tree = preview.tree;
		const by_line = {};
		const inherited = [];
		for (const node of (tree && tree.children) || []) {
			if (node.line == null) inherited.push(node);
			else by_line[node.line] = node;
		}
		this.$table.find(".tc-builder-line").each((_i, body) => {
			const $body = $(body);
			$body.attr("data-key", `line:${$body.attr("data-item")}`);
			this.show_line($body, by_line[$body.attr("data-idx")]);
		});
		this.$table.find(".tc-builder-inherited").remove();
		inherited.forEach((node) => {
			const $body = $(`<tbody class="tc-builder-inherited"
				data-item="${truecraft_bom.escape(node.item_code)}"
				data-key="inherited:${truecraft_bom.escape(node.item_code)}"><tr>
				<td></td>
				<td class="tc-col-item"><span class="tc-toggle"></span>
					${truecraft_bom.escape(node.item_code)}
					<div class="tc-item-name small text-muted">${truecraft_bom.escape(truecraft_bom.builder.name(node.item_code, node.item_name))}</div>
					<div class="tc-flags"></div></td>
				<td colspan="7" class="text-muted small">${__("from the template's BOM")}</td>
				<td class="text-right tc-col-need"></td>
				<td class="text-right tc-col-cost"></td>
				<td></td>
			</tr></tbody>`).appendTo(this.$table);
			this.show_line($body, node);
		});
		this.show_totals(preview);
	}

	show_line($body, node) {
		const $row = $body.children("tr").first();
		$body.children(".tc-builder-sub").remove();
		const $toggle = $row.find(".tc-toggle").removeClass("tc-has-children").empty();
		if (!node) {
			$row.find(".tc-col-need, .tc-col-cost").text("");
			$row.find(".tc-flags").empty();
			$body.removeClass("tc-excluded");
			return;
		}
		const currency = this.data.currency;
		$row.find(".tc-col-need").text(`${truecraft_bom.qty(node.qty)} ${node.stock_uom || ""}`);
		$row.find(".tc-col-cost").html(
			`<span title="${node.rate != null ? __("Rate {0}", [format_currency(node.rate, currency)]) : ""}">
				${format_currency(node.cost, currency)}</span>`,
		);
		$row.find(".tc-flags").html(truecraft_bom.flags_html(node));
		if (!$body.find(".tc-item-name").text()) {
			$body
				.find(".tc-item-name")
				.text(truecraft_bom.builder.name(node.item_code, node.item_name));
		}
		if (!$row.find(".tc-col-uom").text()) $row.find(".tc-col-uom").text(node.stock_uom || "");
		$body.toggleClass("tc-excluded", Boolean(node.excluded));
		$body.toggleClass("tc-subassembly", Boolean(node.children));
		if (node.children && node.children.length) {
			$toggle.addClass("tc-has-children").html(frappe.utils.icon("right", "xs"));
			$body.append(this.sub_rows(node.children, 1));
			this.toggle_rows($body);
		}
	}

	sub_rows(nodes, depth) {
		const e = truecraft_bom.escape;
		const currency = this.data.currency;
		return nodes
			.map(
				(node) => `<tr class="tc-builder-sub ${node.excluded ? "tc-excluded" : ""}"
					data-item="${e(node.item_code)}" data-level="${e(node.level)}">
				<td></td>
				<td class="tc-col-item" style="padding-left: ${depth * 20 + 8}px">
					<span class="text-muted">${node.children ? "▾" : "·"}</span> ${e(node.item_code)}
					<span class="small text-muted">${e(truecraft_bom.builder.name(node.item_code, node.item_name))}</span>
					<div class="tc-flags">${truecraft_bom.flags_html(node)}</div>
				</td>
				<td colspan="7"></td>
				<td class="text-right tc-col-need">${truecraft_bom.qty(node.qty)} ${e(node.stock_uom || "")}</td>
				<td class="text-right tc-col-cost">${format_currency(node.cost, currency)}</td>
				<td></td>
			</tr>${node.children ? this.sub_rows(node.children, depth + 1) : ""}`,
			)
			.join("");
	}

	toggle_rows($body) {
		const open = this.expanded.has($body.attr("data-key"));
		$body.children(".tc-builder-sub").toggle(open);
		$body.find(".tc-toggle").toggleClass("tc-open", open);
	}

	show_totals(preview) {
		const e = truecraft_bom.escape;
		const currency = this.data.currency;
		const money = (value) => format_currency(value, currency);
		const problems = preview.problems || preview.error;
		const error = problems
			? `<div class="tc-builder-error alert alert-warning">${problems}</div>`
			: "";
		if (!preview.cost) {
			this.$totals.html(`${error}
				<div class="tc-builder-total text-muted" data-value="">${__("No figures: fix the lines above")}</div>
				<div class="tc-builder-capacity" data-capacity=""></div>`);
			return;
		}
		const cost = preview.cost;
		const qty = flt(cost.qty) || 1;
		const row = (label, value, cls) => `<tr class="${cls}"><td>${label}</td>
			<td class="text-right">${money(flt(value) / qty)}</td></tr>`;
		const rows = [
			row(__("Stock materials"), cost.stock, "tc-cost-stock"),
			row(__("Consumables"), cost.consumable, "tc-cost-consumable"),
			row(__("Non-stock (labour, services)"), cost.non_stock, "tc-cost-non-stock"),
		];
		if (cost.scrap != null) rows.push(row(__("Scrap (less)"), cost.scrap, "tc-cost-scrap"));
		const levels = (preview.levels || [])
			.map(
				(level) => `<tr><td>${__("Level {0}", [level.level])}</td>
					<td class="text-right">${money(level.cost)}</td></tr>`,
			)
			.join("");
		const capacity = preview.capacity;
		const headline =
			capacity.capacity === null
				? __("Unlimited: nothing in this BOM is stock-tracked")
				: __("With current stock you can make {0}", [capacity.capacity]);
		const limiting = capacity.limiting.length
			? `<div class="tc-builder-limiting">${__("Limited by")}: ${capacity.limiting
					.map((code) => `<b>${e(code)}</b>`)
					.join(", ")}</div>`
			: "";
		this.$totals.html(`${error}
			<div class="tc-builder-cards">
				<div class="tc-builder-card">
					<h6>${__("Cost per unit")}</h6>
					<table class="table table-condensed tc-builder-costs"><tbody>
						${rows.join("")}
						<tr class="tc-builder-total-row"><th>${__("Total")}</th>
							<th class="text-right tc-builder-total" data-value="${e(cost.per_unit)}">
								${money(cost.per_unit)}</th></tr>
					</tbody></table>
					<div class="text-muted small tc-builder-build-total">${__("{0} units: {1}", [
						truecraft_bom.qty(cost.qty),
						money(cost.total),
					])}</div>
				</div>
				<div class="tc-builder-card">
					<h6>${__("Materials cost by level")}</h6>
					<table class="table table-condensed tc-builder-levels"><tbody>${levels}</tbody></table>
				</div>
				<div class="tc-builder-card tc-builder-capacity" data-capacity="${e(capacity.capacity)}">
					<h6>${__("Capacity")}</h6>
					<div class="tc-builder-capacity-text">${headline}</div>${limiting}
				</div>
			</div>`);
	}
};
