"""Stock as the engine sees it: on hand and reserved per item, read from ERPNext's Bin in one query.

What counts as reserved is decided here, once: stock held by Stock Reservation Entries plus stock reserved
for open Work Orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import frappe
from frappe.query_builder.functions import Coalesce
from frappe.utils import flt


@dataclass(frozen=True)
class Level:
	"""Stock of one item in one warehouse (or summed over several)."""

	actual: float = 0
	reserved: float = 0
	value: float = 0

	@property
	def on_hand(self) -> float:
		return max(self.actual, 0)

	@property
	def available(self) -> float:
		return max(self.actual - self.reserved, 0)

	def __add__(self, other: Level) -> Level:
		return Level(self.actual + other.actual, self.reserved + other.reserved, self.value + other.value)


def levels(
	items: Iterable[str], warehouses: Iterable[str] | None = None, for_update: bool = False
) -> dict[tuple[str, str], Level]:
	"""(item, warehouse) -> Level for the Bin rows of ``items`` (in ``warehouses``, or all).

	``for_update`` locks the rows in one fixed order (item, then warehouse), so that concurrent sales queue
	instead of deadlocking, and sees what a concurrent transaction committed while this one waited.
	"""
	items = sorted(set(items))
	if not items or (warehouses is not None and not warehouses):
		return {}
	bin_ = frappe.qb.DocType("Bin")
	query = (
		frappe.qb.from_(bin_)
		.select(
			bin_.item_code,
			bin_.warehouse,
			bin_.actual_qty,
			bin_.stock_value,
			(Coalesce(bin_.reserved_stock, 0) + Coalesce(bin_.reserved_qty_for_production, 0)).as_(
				"reserved"
			),
		)
		.where(bin_.item_code.isin(items))
		.orderby(bin_.item_code)
		.orderby(bin_.warehouse)
	)
	if warehouses is not None:
		query = query.where(bin_.warehouse.isin(sorted(set(warehouses))))
	if for_update:
		query = query.for_update()
	return {
		(row.item_code, row.warehouse): Level(flt(row.actual_qty), flt(row.reserved), flt(row.stock_value))
		for row in query.run(as_dict=True)
	}


def warehouses_in(warehouse: str | None = None, company: str | None = None) -> list[str] | None:
	"""Leaf and group warehouses under ``warehouse`` (itself included) and/or of ``company``; None = all."""
	if not warehouse and not company:
		return None
	wh = frappe.qb.DocType("Warehouse")
	query = frappe.qb.from_(wh).select(wh.name)
	if warehouse:
		chosen = frappe.db.get_value("Warehouse", warehouse, ["lft", "rgt"], as_dict=True)
		if not chosen:
			return []
		query = query.where((wh.lft >= chosen.lft) & (wh.rgt <= chosen.rgt))
	if company:
		query = query.where(wh.company == company)
	return query.run(pluck=True)


def totals(
	items: Iterable[str], warehouse: str | None = None, company: str | None = None
) -> dict[str, Level]:
	"""item -> Level summed over the warehouses of ``warehouse``/``company`` (or the whole site)."""
	summed: dict[str, Level] = {}
	for (item, _warehouse), level in levels(items, warehouses_in(warehouse, company)).items():
		summed[item] = summed.get(item, Level()) + level
	return summed
