"""Hard reservations for Work Orders, on ERPNext's Stock Reservation Entry.

A submitted Work Order reserves each required item in its source warehouse: one Stock Reservation Entry per
required item row (voucher type "Work Order", a property setter adds it). ERPNext then keeps that stock in
``Bin.reserved_stock``, and its stock ledger refuses any outgoing movement that would take it, whatever the
document. Before that, the documents that move stock check here first and are refused with a message naming
the material, what is free and the Work Orders holding the rest.

An entry's ``reserved_qty`` is the row's required quantity while the order is open and what the order has
already taken once it is stopped, closed or completed (nothing more is held); ``delivered_qty`` is what the
order's own entries took from it (its transfers, or its manufactures when it skips the transfer), never more
than reserved. The order's
own transfer takes its reservation before its stock ledger posts; cancelling it gives it back. A cancelled
order cancels its entries. Rows are written directly, after this module's own availability check, and Bin's
reserved stock is recomputed for each touched item and warehouse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import frappe
from frappe.query_builder.functions import Sum
from frappe.utils import flt, now_datetime

from truecraft_bom import refresh, stock
from truecraft_bom.errors import throw_reserved

VOUCHER = "Work Order"
OPEN_STATUSES = ("Not Started", "In Process")
PRECISION = 6


def held_by_orders(items: Iterable[str], warehouses: Iterable[str] | None = None) -> dict:
	"""(item, warehouse) -> {work order: open reserved qty} for Work Orders' submitted reservations."""
	items = sorted(set(items))
	if not items:
		return {}
	sre = frappe.qb.DocType("Stock Reservation Entry")
	query = (
		frappe.qb.from_(sre)
		.select(sre.item_code, sre.warehouse, sre.voucher_no, Sum(sre.reserved_qty - sre.delivered_qty))
		.where(
			(sre.docstatus == 1)
			& (sre.voucher_type == VOUCHER)
			& (sre.item_code.isin(items))
			& (sre.status.notin(["Delivered", "Cancelled"]))
		)
		.groupby(sre.item_code, sre.warehouse, sre.voucher_no)
	)
	if warehouses is not None:
		warehouses = sorted(set(warehouses))
		if not warehouses:
			return {}
		query = query.where(sre.warehouse.isin(warehouses))
	held: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
	for item, warehouse, order, qty in query.run():
		if flt(qty, PRECISION) > 0:
			held[(item, warehouse)][order] = flt(qty, PRECISION)
	return dict(held)


def check_free(
	moves: dict[tuple[str, str], float], doc=None, own_order: str | None = None, every_pair: bool = False
):
	"""Refuse ``moves`` ((item, warehouse) -> qty going out) that would take stock Work Orders hold.

	``own_order``'s reservation is free for its own documents. Only (item, warehouse) pairs some Work Order
	holds are checked, unless ``every_pair`` (a Work Order being submitted); anything else is ERPNext's to
	refuse (negative stock)."""
	moves = {key: qty for key, qty in moves.items() if key[0] and key[1] and qty > 0}
	if not moves:
		return
	held = held_by_orders({item for item, _wh in moves}, {wh for _item, wh in moves})
	held = {key: orders for key, orders in held.items() if key in moves}
	others = {key: {o: q for o, q in orders.items() if o != own_order} for key, orders in held.items()}
	if every_pair:
		others = {key: others.get(key, {}) for key in moves}
	elif not any(others.values()):
		return
	levels = stock.levels({item for item, _wh in others}, {wh for _item, wh in others}, for_update=True)
	conflicts = []
	for key in sorted(others):
		if not others[key] and not every_pair:
			continue
		level = levels.get(key, stock.Level())
		own = held.get(key, {}).get(own_order, 0) if own_order else 0
		free = max(0.0, level.actual - level.reserved + own)
		needed = moves[key]
		if flt(needed - free, PRECISION) > 0:
			conflicts.append(
				{
					"item": key[0],
					"warehouse": key[1],
					"needed": needed,
					"free": flt(free, PRECISION),
					"orders": sorted(others[key].items()),
				}
			)
	if conflicts:
		throw_reserved(conflicts, doctype=doc.doctype if doc else None)


def outgoing(doc) -> dict[tuple[str, str], float]:
	"""(item, warehouse) -> stock quantity a Stock Entry, Delivery Note, Sales Invoice or Pick List takes out."""
	moves: dict[tuple[str, str], float] = defaultdict(float)
	if doc.doctype == "Pick List":
		for row in doc.get("locations") or []:
			moves[(row.item_code, row.warehouse)] += flt(row.stock_qty) or flt(row.qty)
		return dict(moves)
	if doc.get("is_return"):
		return {}
	for row in doc.get("items") or []:
		if doc.doctype == "Stock Entry":
			warehouse, qty = row.s_warehouse, flt(row.transfer_qty) or flt(row.qty)
		else:
			warehouse, qty = row.warehouse, flt(row.stock_qty) or flt(row.qty)
		if warehouse and qty > 0:
			moves[(row.item_code, warehouse)] += qty
	for row in doc.get("packed_items") or []:
		if row.warehouse and flt(row.qty) > 0:
			moves[(row.item_code, row.warehouse)] += flt(row.qty)
	return dict(moves)


def required_moves(work_order) -> dict[tuple[str, str], float]:
	"""What a Work Order reserves: its stock required items by source warehouse."""
	moves: dict[tuple[str, str], float] = defaultdict(float)
	for row in work_order.required_items:
		if row.source_warehouse and flt(row.required_qty) > 0:
			moves[(row.item_code, row.source_warehouse)] += flt(row.required_qty)
	return dict(moves)


def check_order(work_order):
	"""A Work Order is submitted only when every required item is free in its source warehouse.

	Its stock rows are locked first (and the finished item's row in its target warehouse created when
	missing), so that orders submitted at once queue here instead of each counting stock the other takes."""
	moves = required_moves(work_order)
	target = [(work_order.production_item, work_order.fg_warehouse)] if work_order.fg_warehouse else []
	stock.lock(moves, create=target)
	check_free(moves, work_order, own_order=work_order.name, every_pair=True)


def reserve(work_order):
	"""Write the order's reservations (one entry per required item row with a source warehouse)."""
	now = now_datetime()
	touched = set()
	for row in work_order.required_items:
		qty = flt(row.required_qty)
		if not row.source_warehouse or qty <= 0 or not _is_stock(row.item_code):
			continue
		entry = frappe.new_doc("Stock Reservation Entry")
		entry.update(
			{
				"item_code": row.item_code,
				"warehouse": row.source_warehouse,
				"voucher_type": VOUCHER,
				"voucher_no": work_order.name,
				"voucher_detail_no": row.name,
				"company": work_order.company,
				"stock_uom": row.stock_uom or frappe.get_cached_value("Item", row.item_code, "stock_uom"),
				"project": work_order.project,
				"voucher_qty": qty,
				"reserved_qty": qty,
				"available_qty": flt(row.available_qty_at_source_warehouse),
				"delivered_qty": 0,
				"reservation_based_on": "Qty",
				"status": "Reserved",
				"docstatus": 1,
				"owner": frappe.session.user,
				"modified_by": frappe.session.user,
				"creation": now,
				"modified": now,
			}
		)
		entry.set_new_name()
		entry.db_insert()
		touched.add((row.item_code, row.source_warehouse))
	_update_bins(touched)


def take(entry, sign: int = 1):
	"""The order's own transfer (or manufacture without transfer) takes its reservation before its stock
	ledger posts (``sign`` 1), and gives it back when cancelled (-1)."""
	moves: dict[tuple[str, str], float] = defaultdict(float)
	for row in entry.items:
		if row.s_warehouse and not row.get("is_finished_item") and not row.get("is_scrap_item"):
			moves[(row.get("original_item") or row.item_code, row.s_warehouse)] += flt(row.transfer_qty)
	if not moves:
		return
	rows = _entries(entry.work_order)
	touched = set()
	for (item, warehouse), qty in moves.items():
		for sre in rows:
			if (sre.item_code, sre.warehouse) != (item, warehouse) or qty <= 0:
				continue
			if sign > 0:
				step = min(qty, flt(sre.voucher_qty) - flt(sre.delivered_qty))
			else:
				step = min(qty, flt(sre.delivered_qty))
			if step <= 0:
				continue
			qty -= step
			_write(
				sre,
				max(flt(sre.reserved_qty), flt(sre.delivered_qty) + sign * step),
				flt(sre.delivered_qty) + sign * step,
			)
			touched.add((item, warehouse))
	_update_bins(touched)
	sync(frappe.get_doc("Work Order", entry.work_order))


def sync(work_order):
	"""Bring the order's reservations in line with its status: open orders hold the rest of each row, stopped,
	closed and completed ones hold nothing more (reserved down to what they took), cancelled ones cancel their
	entries. What an order took changes only through its own entries (``take``)."""
	rows = _entries(work_order.name)
	if not rows:
		return
	is_open = work_order.docstatus == 1 and work_order.status in OPEN_STATUSES
	touched = set()
	for sre in rows:
		if work_order.docstatus == 2:
			frappe.db.set_value("Stock Reservation Entry", sre.name, {"docstatus": 2, "status": "Cancelled"})
			touched.add((sre.item_code, sre.warehouse))
			continue
		reserved = flt(sre.voucher_qty) if is_open else flt(sre.delivered_qty)
		if flt(reserved, PRECISION) != flt(sre.reserved_qty, PRECISION):
			_write(sre, reserved, sre.delivered_qty)
			touched.add((sre.item_code, sre.warehouse))
	_update_bins(touched)


def _entries(order: str):
	return frappe.get_all(
		"Stock Reservation Entry",
		filters={"voucher_type": VOUCHER, "voucher_no": order, "docstatus": 1},
		fields=[
			"name",
			"item_code",
			"warehouse",
			"voucher_detail_no",
			"voucher_qty",
			"reserved_qty",
			"delivered_qty",
		],
		order_by="creation asc, name asc",
	)


def _write(sre, reserved: float, delivered: float):
	reserved, delivered = flt(reserved, PRECISION), max(0.0, flt(delivered, PRECISION))
	delivered = min(delivered, reserved)
	if delivered >= reserved:  # nothing left held (a released order holds only what it took)
		status = "Delivered"
	elif delivered:
		status = "Partially Delivered"
	else:
		status = "Reserved"
	frappe.db.set_value(
		"Stock Reservation Entry",
		sre.name,
		{"reserved_qty": reserved, "delivered_qty": delivered, "status": status},
	)
	sre.reserved_qty, sre.delivered_qty = reserved, delivered


def _update_bins(keys: set[tuple[str, str]]):
	"""Bin's reserved stock for these (item, warehouse) pairs, as ERPNext computes it, and a capacity refresh."""
	if not keys:
		return
	from erpnext.stock.utils import get_or_make_bin

	# a locking read: it counts the reservations other transactions committed since this one began (ERPNext's
	# own sum reads this transaction's older snapshot, and would write another order's reservation away)
	reserved = stock.reserved_by_entries(keys, for_update=True)
	for key in sorted(keys):
		bin_name = get_or_make_bin(*key)
		frappe.db.set_value("Bin", bin_name, "reserved_stock", flt(reserved.get(key)), update_modified=True)
	refresh.stock_moved(sorted({item for item, _wh in keys}))


def _is_stock(item: str) -> bool:
	return bool(frappe.get_cached_value("Item", item, "is_stock_item"))
