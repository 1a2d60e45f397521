"""Stock as the engine sees it: on hand and reserved per item, read from ERPNext's Bin in one query.

What counts as reserved is decided here, once: stock held by Stock Reservation Entries (Sales Orders, and the
Work Orders the app reserves for, truecraft_bom.reservation) plus ERPNext's soft reservation for open Work
Orders (``reserved_qty_for_production``) where no Stock Reservation Entry of the order already holds it: a Work
Order submitted before the app was installed. An order's stock is never counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import frappe
from frappe.query_builder.functions import Coalesce, Sum
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

	``for_update`` locks the rows, in one fixed order, so that concurrent sales queue instead of deadlocking,
	and reads what a concurrent transaction committed while this one waited. The rows are found first, then
	locked by their names: a lock through the (item, warehouse) index would also lock the gaps beside each row,
	and a transaction that then creates a Bin in such a gap (the first stock of a new product, while a
	concurrent order waits on its materials' rows) would deadlock with the one waiting. A Bin created by a
	transaction that committed after this one began is not seen (that stock counts as none: refused, never
	oversold).
	"""
	items = sorted(set(items))
	if not items or (warehouses is not None and not warehouses):
		return {}
	bin_ = frappe.qb.DocType("Bin")
	where = bin_.item_code.isin(items)
	if warehouses is not None:
		where &= bin_.warehouse.isin(sorted(set(warehouses)))
	if for_update:
		names = frappe.qb.from_(bin_).select(bin_.name).where(where).run(pluck=True)
		if not names:
			return {}
		where = bin_.name.isin(sorted(names))
	query = (
		frappe.qb.from_(bin_)
		.select(
			bin_.item_code,
			bin_.warehouse,
			bin_.actual_qty,
			bin_.stock_value,
			Coalesce(bin_.reserved_stock, 0).as_("reserved_stock"),
			Coalesce(bin_.reserved_qty_for_production, 0).as_("for_production"),
		)
		.where(where)
	)
	if for_update:
		query = query.orderby(bin_.name).for_update()
	rows = query.run(as_dict=True)
	soft = [row for row in rows if flt(row.for_production) > 0]
	covered = reserved_by_entries(
		{(row.item_code, row.warehouse) for row in soft}, voucher_type="Work Order", for_update=for_update
	)
	return {
		(row.item_code, row.warehouse): Level(
			flt(row.actual_qty),
			flt(row.reserved_stock)
			+ max(0.0, flt(row.for_production) - covered.get((row.item_code, row.warehouse), 0.0)),
			flt(row.stock_value),
		)
		for row in rows
	}


def reserved_by_entries(
	keys: Iterable[tuple[str, str]], voucher_type: str | None = None, for_update: bool = False
) -> dict[tuple[str, str], float]:
	"""(item, warehouse) -> what submitted Stock Reservation Entries (of ``voucher_type``, or all) hold.

	``for_update``: a locking read, which sees what concurrent transactions committed since this one began."""
	keys = set(keys)
	if not keys:
		return {}
	sre = frappe.qb.DocType("Stock Reservation Entry")
	query = (
		frappe.qb.from_(sre)
		.select(sre.item_code, sre.warehouse, Sum(sre.reserved_qty - sre.delivered_qty))
		.where(
			(sre.docstatus == 1)
			& (sre.status.notin(["Delivered", "Cancelled"]))
			& (sre.item_code.isin(sorted({item for item, _wh in keys})))
			& (sre.warehouse.isin(sorted({wh for _item, wh in keys})))
		)
		.groupby(sre.item_code, sre.warehouse)
	)
	if voucher_type:
		query = query.where(sre.voucher_type == voucher_type)
	if for_update:
		query = query.for_update()
	return {(item, wh): flt(qty) for item, wh, qty in query.run() if (item, wh) in keys}


def lock(
	keys: Iterable[tuple[str, str]], create: Iterable[tuple[str, str]] = ()
) -> dict[tuple[str, str], Level]:
	"""Lock the Bin rows of ``keys`` (item, warehouse) until the transaction ends, and return their levels;
	the rows of ``create`` (the places stock is about to enter) are then created when missing, and locked.

	Concurrent first movements of an item into a warehouse (two first sales of a new product, three Work
	Orders of a new candle) would otherwise race to create its Bin, and the loser's ERPNext, which reads Bins
	without a lock in a snapshot older than the winner's commit, finds none, cannot insert it either and
	answers "does not exist". The rows of ``keys`` are locked first, in one fixed order: transactions that
	share them queue there, so only one at a time creates a missing row (creating it while others hold locks
	on the gap it goes into would deadlock); a row committed by another transaction meanwhile is touched,
	which makes it visible to this transaction's plain reads.
	"""
	create = sorted(set(create))
	keys = sorted(set(keys))
	found = {}
	if keys:
		found = levels({item for item, _ in keys}, {wh for _, wh in keys}, for_update=True)
	for item, warehouse in create:
		if not _touch_bin(item, warehouse):
			_create_bin(item, warehouse)
	if create:
		found.update(levels({item for item, _ in create}, {wh for _, wh in create}, for_update=True))
	return {key: found.get(key, Level()) for key in sorted(set(keys) | set(create))}


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


def _touch_bin(item: str, warehouse: str) -> bool:
	"""Write the (locked) row, so that this transaction's plain reads see it even if it was committed after
	their snapshot (ERPNext reads Bins without a lock)."""
	bin_ = frappe.qb.DocType("Bin")
	(
		frappe.qb.update(bin_)
		.set(bin_.modified, now_datetime())
		.where((bin_.item_code == item) & (bin_.warehouse == warehouse))
	).run()
	return frappe.db._cursor.rowcount > 0


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
