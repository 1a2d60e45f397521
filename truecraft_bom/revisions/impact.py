"""What a BOM revision changes: the proposed BOM's lines against the current BOM's, cost and capacity before
and after (asked of the engine, each BOM standing in for the item's default), and the open Work Orders that
still use the current BOM."""

from __future__ import annotations

from typing import NamedTuple

import frappe
from frappe import _
from frappe.utils import cint, cstr, flt

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import throw
from truecraft_bom.setup.custom_fields import CUSTOM_FIELDS

ADDED, REMOVED, CHANGED = "Added", "Removed", "Changed"

# Work Orders in these states will never consume the BOM again
FINISHED_WORK_ORDER = ("Completed", "Closed", "Cancelled")

# The rules of a line that the diff compares and shows: the app's BOM Item fields and ERPNext's own
# "do not explode" (fieldname, fieldtype, label)
RULE_FIELDS = (
	*(
		(field["fieldname"], field["fieldtype"], field["label"])
		for field in CUSTOM_FIELDS["BOM Item"]
		if field["fieldtype"] not in ("Section Break", "Column Break")
	),
	("do_not_explode", "Check", "Do Not Explode"),
)


class _Line(NamedTuple):
	qty: float  # in stock UOM per unit of the product
	rules: tuple


def line_changes(current, proposed) -> list[dict]:
	"""Rows of the revision's Changes table: lines added, removed, or changed in quantity per unit or in any
	rule; in the current BOM's order, then the new lines in the proposed BOM's order."""
	old, new = _lines(current), _lines(proposed)
	rows = []
	for code in [*old, *(code for code in new if code not in old)]:
		before, after = old.get(code), new.get(code)
		if before == after:
			continue
		rows.append(
			{
				"item_code": code,
				"change": ADDED if before is None else REMOVED if after is None else CHANGED,
				"old_qty": before.qty if before else 0,
				"new_qty": after.qty if after else 0,
				"old_flags": _flags(before.rules) if before else "",
				"new_flags": _flags(after.rules) if after else "",
			}
		)
	return rows


def _lines(bom) -> dict[str, _Line]:
	quantity = flt(bom.get("quantity")) or 1
	lines: dict[str, _Line] = {}
	for row in bom.get("items") or []:
		code = row.get("item_code")
		if not code:
			continue
		qty = row.get("stock_qty")
		if qty is None:
			qty = flt(row.get("qty")) * (flt(row.get("conversion_factor")) or 1)
		per_unit = flt(qty) / quantity
		earlier = lines.get(code)
		if earlier is not None:  # the same item on two lines (BOM validation refuses it): one line
			lines[code] = _Line(flt(earlier.qty + per_unit, 9), earlier.rules)
		else:
			lines[code] = _Line(flt(per_unit, 9), _rules(row))
	return lines


def _rules(row) -> tuple:
	values = []
	for fieldname, fieldtype, _label in RULE_FIELDS:
		value = row.get(fieldname)
		if fieldtype == "Check":
			values.append(cint(value))
		elif fieldtype in ("Float", "Percent", "Currency", "Int"):
			values.append(flt(value, 9))
		else:
			values.append(cstr(value).strip())
	return tuple(values)


def _flags(rules: tuple) -> str:
	"""The rules that are set, as the user reads them: "Setup Qty: 2, Attrition %: 5, Consumable"."""
	shown = []
	for (_fieldname, fieldtype, label), value in zip(RULE_FIELDS, rules, strict=True):
		if not value:
			continue
		if fieldtype == "Check":
			shown.append(_(label))
		elif isinstance(value, float):
			shown.append(f"{_(label)}: {value:g}")
		else:
			shown.append(f"{_(label)}: {value}")
	return ", ".join(shown)


def figures(item: str, bom) -> dict:
	"""Cost per unit (one batch of ``bom``) and capacity from all stock, with ``bom`` as the item's BOM."""
	catalog = load_catalog([item], boms={item: bom})
	try:
		cost = engine.cost(catalog, item, flt(bom.get("quantity")) or 1)
		capacity = engine.capacity(catalog, item)
	except engine.EngineError as error:
		throw(error, title=_("BOM {0} cannot be costed").format(bom.get("name") or ""))
	return {
		"cost": flt(cost.per_unit),
		"capacity": capacity.capacity or 0,
		"unlimited": capacity.capacity is None,
		"limiting": ", ".join(capacity.limiting),
	}


def open_work_orders(bom: str) -> list[dict]:
	"""Work Orders, draft or submitted, that may still consume ``bom``."""
	return frappe.get_all(
		"Work Order",
		filters={"bom_no": bom, "docstatus": ("<", 2), "status": ("not in", FINISHED_WORK_ORDER)},
		fields=["name as work_order", "status", "qty", "produced_qty"],
		order_by="creation",
	)
