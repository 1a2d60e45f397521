# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt
"""How long each material lasts at the recent depletion rate, against its lead time and reorder level, and
which products it affects: the figures behind the reorder and runway alerts (``truecraft_bom.runway``)."""

import frappe
from frappe import _
from frappe.utils import cint, flt

from truecraft_bom import runway
from truecraft_bom.capacity import DOCTYPE
from truecraft_bom.catalog import structure

CHART_BARS = 10


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return columns(filters), rows, None, chart(rows)


def columns(filters=None) -> list[dict]:
	days = cint((filters or {}).get("days")) or runway.DAYS
	return [
		{
			"fieldname": "item_code",
			"label": _("Material"),
			"fieldtype": "Link",
			"options": "Item",
			"width": 170,
		},
		{"fieldname": "item_name", "label": _("Item Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "stock_uom", "label": _("UOM"), "fieldtype": "Link", "options": "UOM", "width": 70},
		{"fieldname": "available", "label": _("Available"), "fieldtype": "Float", "width": 100},
		{
			"fieldname": "daily_depletion",
			"label": _("Daily Depletion ({0} days)").format(days),
			"fieldtype": "Float",
			"width": 150,
		},
		{
			"fieldname": "days_left",
			"label": _("Days Left"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 90,
		},
		{"fieldname": "lead_time", "label": _("Lead Time (Days)"), "fieldtype": "Int", "width": 120},
		{"fieldname": "runs_out", "label": _("Runs Out Before Restock"), "fieldtype": "Check", "width": 100},
		{"fieldname": "reorder_level", "label": _("Reorder Level"), "fieldtype": "Float", "width": 110},
		{"fieldname": "at_reorder", "label": _("At Reorder Level"), "fieldtype": "Check", "width": 100},
		{"fieldname": "products", "label": _("Products Affected"), "fieldtype": "Int", "width": 110},
		{"fieldname": "lowest", "label": _("Lowest Capacity"), "fieldtype": "Data", "width": 200},
	]


def get_rows(filters) -> list[dict]:
	"""One row per material that products are made from; shortest runway first."""
	codes = runway.materials([filters.item_code] if filters.item_code else None)
	found = runway.runways(codes, filters.company, filters.warehouse, cint(filters.days) or runway.DAYS)
	if filters.at_risk:
		found = {code: item for code, item in found.items() if item.at_risk}
	if not found:
		return []
	used_by = structure().used_by
	lowest = _lowest_capacities({code: used_by.get(code, frozenset()) for code in found})
	details = {
		row.name: row
		for row in frappe.get_all(
			"Item", filters={"name": ("in", sorted(found))}, fields=["name", "item_name", "stock_uom"]
		)
	}
	rows = [
		{
			"item_code": code,
			"item_name": details[code].item_name if code in details else "",
			"stock_uom": details[code].stock_uom if code in details else "",
			"available": item.available,
			"daily_depletion": flt(item.daily_depletion, 3),
			"days_left": flt(item.days_left, 1) if item.days_left is not None else None,
			"lead_time": item.lead_time,
			"runs_out": int(item.short),
			"reorder_level": item.reorder_level or None,
			"at_reorder": int(bool(item.under_reorder)),
			"products": len(used_by.get(code, ())),
			"lowest": lowest.get(code, ""),
		}
		for code, item in found.items()
	]
	rows.sort(
		key=lambda row: (
			row["days_left"] is None,
			row["days_left"] or 0,
			-row["at_reorder"],
			row["item_code"],
		)
	)
	return rows


def _lowest_capacities(users: dict[str, frozenset]) -> dict[str, str]:
	"""material -> "PRODUCT (can make N)" for the product it affects with the lowest company-wide capacity."""
	products = sorted(set().union(*users.values())) if users else []
	if not products:
		return {}
	capacity = {
		row.item_code: cint(row.capacity)
		for row in frappe.get_all(
			DOCTYPE,
			filters={"item_code": ("in", products), "warehouse": ("is", "not set"), "unlimited": 0},
			fields=["item_code", "capacity"],
		)
	}
	result = {}
	for code, using in users.items():
		known = [(capacity[p], p) for p in using if p in capacity]
		if known:
			value, product = min(known)
			result[code] = _("{0} (can make {1})").format(product, value)
	return result


def chart(rows: list[dict]) -> dict | None:
	"""Bar chart of the shortest runways, with each material's lead time beside it."""
	shortest = [row for row in rows if row["days_left"] is not None][:CHART_BARS]
	if not shortest:
		return None
	return {
		"data": {
			"labels": [row["item_code"] for row in shortest],
			"datasets": [
				{"name": _("Days Left"), "values": [row["days_left"] for row in shortest]},
				{"name": _("Lead Time (Days)"), "values": [row["lead_time"] for row in shortest]},
			],
		},
		"type": "bar",
		"colors": ["#5e64ff", "#ff5858"],
		"fieldtype": "Float",
	}
