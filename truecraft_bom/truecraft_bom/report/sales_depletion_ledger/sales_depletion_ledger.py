# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt
"""Which sale depleted which material, when, how much and through which Stock Entry: the stock ledger rows of
the entries a sale posted (``tc_source_doctype``/``tc_source_name``). Cancelled sales leave no rows."""

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import add_days, flt, getdate, today

CHART_BARS = 10
SALES = ("Sales Invoice", "Delivery Note")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return columns(), rows, None, chart(rows)


def columns() -> list[dict]:
	return [
		{"fieldname": "posting_date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "posting_time", "label": _("Time"), "fieldtype": "Time", "width": 80},
		{"fieldname": "sale_doctype", "label": _("Sale Type"), "fieldtype": "Link", "options": "DocType"},
		{
			"fieldname": "sale",
			"label": _("Sale"),
			"fieldtype": "Dynamic Link",
			"options": "sale_doctype",
			"width": 170,
		},
		{"fieldname": "customer", "label": _("Customer"), "fieldtype": "Link", "options": "Customer"},
		{
			"fieldname": "item_code",
			"label": _("Material"),
			"fieldtype": "Link",
			"options": "Item",
			"width": 160,
		},
		{"fieldname": "qty", "label": _("Quantity"), "fieldtype": "Float", "width": 100},
		{"fieldname": "stock_uom", "label": _("UOM"), "fieldtype": "Link", "options": "UOM", "width": 70},
		{"fieldname": "value", "label": _("Value"), "fieldtype": "Currency", "options": "currency"},
		{"fieldname": "warehouse", "label": _("Warehouse"), "fieldtype": "Link", "options": "Warehouse"},
		{
			"fieldname": "stock_entry",
			"label": _("Stock Entry"),
			"fieldtype": "Link",
			"options": "Stock Entry",
			"width": 160,
		},
		{"fieldname": "purpose", "label": _("Purpose"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]


def get_rows(filters) -> list[dict]:
	"""Materials taken out of stock by the entries sales posted, newest first."""
	sle = frappe.qb.DocType("Stock Ledger Entry")
	entry = frappe.qb.DocType("Stock Entry")
	invoice = frappe.qb.DocType("Sales Invoice")
	note = frappe.qb.DocType("Delivery Note")
	item = frappe.qb.DocType("Item")
	from_date = getdate(filters.from_date or add_days(today(), -30))
	to_date = getdate(filters.to_date or today())
	query = (
		frappe.qb.from_(sle)
		.join(entry)
		.on((entry.name == sle.voucher_no) & (sle.voucher_type == "Stock Entry"))
		.join(item)
		.on(item.name == sle.item_code)
		.left_join(invoice)
		.on((entry.tc_source_doctype == "Sales Invoice") & (invoice.name == entry.tc_source_name))
		.left_join(note)
		.on((entry.tc_source_doctype == "Delivery Note") & (note.name == entry.tc_source_name))
		.select(
			sle.posting_date,
			sle.posting_time,
			entry.tc_source_doctype.as_("sale_doctype"),
			entry.tc_source_name.as_("sale"),
			Coalesce(invoice.customer, note.customer).as_("customer"),
			sle.item_code,
			(sle.actual_qty * -1).as_("qty"),
			item.stock_uom,
			(sle.stock_value_difference * -1).as_("value"),
			sle.warehouse,
			entry.name.as_("stock_entry"),
			entry.purpose,
			sle.company,
		)
		.where(
			(sle.is_cancelled == 0)
			& (sle.actual_qty < 0)
			& (entry.docstatus == 1)
			& entry.tc_source_doctype.isin(SALES)
			& (sle.posting_date >= from_date)
			& (sle.posting_date <= to_date)
		)
		.orderby(sle.posting_date, order=frappe.qb.desc)
		.orderby(sle.posting_time, order=frappe.qb.desc)
		.orderby(sle.creation, order=frappe.qb.desc)
	)
	if filters.company:
		query = query.where(sle.company == filters.company)
	if filters.item_code:
		query = query.where(sle.item_code == filters.item_code)
	if filters.sale_doctype:
		query = query.where(entry.tc_source_doctype == filters.sale_doctype)
	if filters.sale:
		query = query.where(entry.tc_source_name == filters.sale)
	if filters.customer:
		query = query.where(Coalesce(invoice.customer, note.customer) == filters.customer)
	rows = query.run(as_dict=True)
	currencies = {}
	for row in rows:
		if row.company not in currencies:
			currencies[row.company] = frappe.get_cached_value("Company", row.company, "default_currency")
		row.currency = currencies[row.company]
		row.qty, row.value = flt(row.qty, 6), flt(row.value, 2)
	return rows


def chart(rows: list[dict]) -> dict | None:
	"""Bar chart of the materials whose depletion by sales cost the most."""
	value: dict[str, float] = {}
	for row in rows:
		value[row["item_code"]] = value.get(row["item_code"], 0) + row["value"]
	top = sorted(value.items(), key=lambda pair: (-pair[1], pair[0]))[:CHART_BARS]
	if not top:
		return None
	return {
		"data": {
			"labels": [code for code, _value in top],
			"datasets": [{"name": _("Value Depleted"), "values": [flt(amount, 2) for _code, amount in top]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}
