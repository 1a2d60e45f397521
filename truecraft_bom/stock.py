"""Stock as the engine sees it: on hand and reserved per item, read from ERPNext's Bin in one query.

What counts as reserved is decided here, once: stock held by Stock Reservation Entries plus stock reserved
for open Work Orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import frappe
from frappe.query_builder.functions import Coalesce
from frappe.utils import flt, now_datetime


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


def lock(
	keys: Iterable[tuple[str, str]], create: Iterable[tuple[str, str]] = ()
) -> dict[tuple[str, str], Level]:
	"""Lock the Bin rows of ``keys`` (item, warehouse) until the transaction ends, and return their levels;
	the rows of ``create`` (the places stock is about to enter) are created first when missing.

	Concurrent first movements of an item into a warehouse (two first sales of a new product) would otherwise
	race to create its Bin: the loser's ERPNext reads the Bin without a lock, in a snapshot older than the
	winner's commit, finds none, fails to insert a duplicate and answers "does not exist". Here the loser
	waits on the winner's row and then touches it, which makes it visible to its own plain reads.
	"""
	create = set(create)
	keys = sorted(set(keys) | create)
	if not keys:
		return {}
	items, warehouses = {item for item, _ in keys}, {warehouse for _, warehouse in keys}
	found = levels(items, warehouses, for_update=True)
	for key in sorted(create):
		if key in found:
			_touch_bin(*key)  # it may have been committed after this transaction's snapshot
		else:
			_create_bin(*key)
	if create - found.keys():
		found = levels(items, warehouses, for_update=True)
	return {key: found.get(key, Level()) for key in keys}


def _create_bin(item: str, warehouse: str):
	savepoint = "truecraft_bin"
	frappe.db.savepoint(savepoint)
	try:
		doc = frappe.get_doc({"doctype": "Bin", "item_code": item, "warehouse": warehouse})
		doc.flags.ignore_permissions = True
		doc.insert()
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# another transaction created it, and has committed while this one waited on its row
		frappe.db.rollback(save_point=savepoint)
		_touch_bin(item, warehouse)


def _touch_bin(item: str, warehouse: str):
	"""Write the (locked) row, so that this transaction's plain reads see it even if it was committed after
	their snapshot (ERPNext reads Bins without a lock)."""
	bin_ = frappe.qb.DocType("Bin")
	(
		frappe.qb.update(bin_)
		.set(bin_.modified, now_datetime())
		.where((bin_.item_code == item) & (bin_.warehouse == warehouse))
	).run()


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
