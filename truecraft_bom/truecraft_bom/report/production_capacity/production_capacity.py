# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt
"""How many of each product can be made now, from the Production Capacity records: lowest first, with the
materials that limit each, the value they would consume and the capacity target."""

import frappe
from frappe import _
from frappe.utils import cint, flt

from truecraft_bom.capacity import DOCTYPE
from truecraft_bom.catalog import structure

CHART_BARS = 10


def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return columns(), rows, None, chart(rows)


def columns() -> list[dict]:
	return [
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 180},
		{"fieldname": "item_name", "label": _("Item Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "capacity", "label": _("Can Make"), "fieldtype": "Int", "width": 100},
		{"fieldname": "unlimited", "label": _("Unlimited"), "fieldtype": "Check", "width": 90},
		{"fieldname": "target", "label": _("Capacity Target"), "fieldtype": "Float", "width": 120},
		{"fieldname": "limiting", "label": _("Limiting Materials"), "fieldtype": "Data", "width": 220},
		{
			"fieldname": "material_value",
			"label": _("Material Value"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{"fieldname": "warehouse", "label": _("Warehouse"), "fieldtype": "Link", "options": "Warehouse"},
		{"fieldname": "refreshed_at", "label": _("Refreshed At"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "problem", "label": _("Problem"), "fieldtype": "Data", "width": 200},
		{"fieldname": "name", "label": _("Record"), "fieldtype": "Link", "options": DOCTYPE, "width": 110},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]


def get_rows(filters) -> list[dict]:
	"""Records of the company (all its warehouses pooled, or one warehouse), lowest capacity first."""
	conditions = {"warehouse": filters.warehouse or ("is", "not set")}
	if filters.company:
		conditions["company"] = filters.company
	codes = None
	if filters.item_code:
		codes = {filters.item_code}
	if filters.material:
		users = structure().used_by.get(filters.material, frozenset())
		codes = users if codes is None else codes & users
	if codes is not None:
		if not codes:
			return []
		conditions["item_code"] = ("in", sorted(codes))
	records = frappe.get_list(
		DOCTYPE,
		filters=conditions,
		fields=[
			"name",
			"item_code",
			"item_name",
			"company",
			"warehouse",
			"capacity",
			"unlimited",
			"limiting",
			"material_value",
			"refreshed_at",
			"problem",
		],
		order_by="unlimited asc, capacity asc, item_code asc",
		limit_page_length=0,
	)
	targets = dict(
		frappe.get_all(
			"Item",
			filters={"name": ("in", sorted({row.item_code for row in records}) or [""])},
			fields=["name", "tc_capacity_target"],
			as_list=True,
		)
	)
	currencies = {}
	rows = []
	for record in records:
		target = flt(targets.get(record.item_code))
		if filters.below_target and not (target and not record.unlimited and record.capacity < target):
			continue
		if record.company not in currencies:
			currencies[record.company] = frappe.get_cached_value(
				"Company", record.company, "default_currency"
			)
		rows.append(
			{
				**record,
				"capacity": None if record.unlimited else cint(record.capacity),
				"target": target or None,
				"limiting": ", ".join((record.limiting or "").split("\n")) if record.limiting else "",
				"currency": currencies[record.company],
			}
		)
	return rows


def chart(rows: list[dict]) -> dict | None:
	"""Bar chart of the lowest capacities (and their targets, when any is set)."""
	lowest = [row for row in rows if row["capacity"] is not None][:CHART_BARS]
	if not lowest:
		return None
	datasets = [{"name": _("Can Make"), "values": [row["capacity"] for row in lowest]}]
	if any(row["target"] for row in lowest):
		datasets.append({"name": _("Capacity Target"), "values": [row["target"] or 0 for row in lowest]})
	return {
		"data": {"labels": [row["item_code"] for row in lowest], "datasets": datasets},
		"type": "bar",
		"colors": ["#5e64ff", "#ffa00a"],
		"fieldtype": "Int",
	}
