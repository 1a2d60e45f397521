"""How long each material lasts: available stock, reorder level and runway at the recent depletion rate.

Shared by the reorder and runway alerts and the Material Runway report.
- Available: on hand less reserved (``truecraft_bom.stock``), the figure capacity is computed from.
- Reorder level: ERPNext's Item Reorder rows of the material, or of its template when it has none (as
  ERPNext's own reorder does); a row is reached when the available stock of its warehouse (or warehouse
  group, with children) is at or below its level.
- Daily depletion: what left stock over the last ``days`` days, divided by ``days``. Each voucher counts its
  net outflow per item, so a transfer between two counted warehouses is not depletion; cancelled entries do
  not count.
- Runway: available / daily depletion, in days; short when below the material's lead time
  (``Item.lead_time_days``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import frappe
from frappe.utils import add_days, cint, flt, getdate, today

from truecraft_bom import stock
from truecraft_bom.catalog import structure

DAYS = 30


@dataclass(frozen=True)
class Runway:
	item_code: str
	available: float
	daily_depletion: float
	lead_time: int
	reorder_level: float = 0
	# warehouses (or groups) whose reorder level is reached
	under_reorder: tuple[str, ...] = field(default=())

	@property
	def days_left(self) -> float | None:
		"""None: nothing was depleted recently."""
		return self.available / self.daily_depletion if self.daily_depletion > 0 else None

	@property
	def short(self) -> bool:
		"""Runs out before a new order can arrive."""
		days = self.days_left
		return bool(self.lead_time) and days is not None and days < self.lead_time

	@property
	def at_risk(self) -> bool:
		return bool(self.under_reorder) or self.short


def materials(codes: Iterable[str] | None = None) -> list[str]:
	"""The stock items that products are made from (of ``codes``, or all), sorted; products excluded."""
	base = structure()
	items = base.catalog.items
	candidates = base.used_by.keys() if codes is None else set(codes) & base.used_by.keys()
	return sorted(
		code
		for code in candidates
		if code not in base.products
		and code in items
		and items[code].is_stock
		and not items[code].has_variants
	)


def runways(
	codes: Iterable[str], company: str | None = None, warehouse: str | None = None, days: int = DAYS
) -> dict[str, Runway]:
	"""Runway of each material of ``codes`` over the stock of ``warehouse``/``company`` (or the whole site)."""
	codes = sorted(set(codes))
	if not codes:
		return {}
	days = max(cint(days), 1)
	scope = stock.warehouses_in(warehouse, company)
	levels = stock.totals(codes, warehouse, company)
	depleted = _depleted(codes, scope, add_days(today(), -days))
	lead_times = dict(
		frappe.get_all(
			"Item", filters={"name": ("in", codes)}, fields=["name", "lead_time_days"], as_list=True
		)
	)
	reorder = _reorder_rows(codes, scope)
	reached = _reached(reorder)
	return {
		code: Runway(
			item_code=code,
			available=flt(levels[code].available if code in levels else 0),
			daily_depletion=flt(depleted.get(code, 0)) / days,
			lead_time=cint(lead_times.get(code)),
			reorder_level=sum(flt(row.warehouse_reorder_level) for row in reorder.get(code, ())),
			under_reorder=tuple(reached.get(code, ())),
		)
		for code in codes
	}


def _depleted(codes: list[str], warehouses: list[str] | None, since) -> dict[str, float]:
	"""item -> net quantity that left the warehouses since ``since``, voucher by voucher."""
	if warehouses is not None and not warehouses:
		return {}
	condition = "and warehouse in %(warehouses)s" if warehouses is not None else ""
	rows = frappe.db.sql(
		f"""
		select item_code, sum(-net) as depleted from (
			select item_code, voucher_type, voucher_no, sum(actual_qty) as net
			from `tabStock Ledger Entry`
			where is_cancelled = 0 and posting_date >= %(since)s and item_code in %(codes)s {condition}
			group by item_code, voucher_type, voucher_no
		) by_voucher
		where net < 0
		group by item_code
		""",
		{"codes": tuple(codes), "since": getdate(since), "warehouses": tuple(warehouses or ())},
		as_dict=True,
	)
	return {row.item_code: flt(row.depleted) for row in rows}


def _reorder_rows(codes: list[str], scope: list[str] | None) -> dict[str, list]:
	"""material -> its Item Reorder rows (its template's when it has none) whose warehouse is in scope."""
	variant_of = dict(
		frappe.get_all(
			"Item",
			filters={"name": ("in", codes), "variant_of": ("is", "set")},
			fields=["name", "variant_of"],
			as_list=True,
		)
	)
	rows = frappe.get_all(
		"Item Reorder",
		filters={"parenttype": "Item", "parent": ("in", sorted({*codes, *variant_of.values()}))},
		fields=["parent", "warehouse", "warehouse_group", "warehouse_reorder_level"],
		order_by="idx asc",
	)
	in_scope = None if scope is None else set(scope)
	by_item: dict[str, list] = defaultdict(list)
	for row in rows:
		if in_scope is None or row.warehouse in in_scope:
			by_item[row.parent].append(row)
	return {
		code: by_item.get(code) or by_item.get(variant_of.get(code), [])
		for code in codes
		if by_item.get(code) or by_item.get(variant_of.get(code))
	}


def _reached(reorder: dict[str, list]) -> dict[str, list[str]]:
	"""material -> the warehouses (or groups) at or below their reorder level."""
	places = {row.warehouse_group or row.warehouse for rows in reorder.values() for row in rows} - {None, ""}
	within = {place: stock.warehouses_in(place) or [] for place in places}
	levels = stock.levels(reorder, {wh for warehouses in within.values() for wh in warehouses})
	result: dict[str, list[str]] = defaultdict(list)
	for code, rows in reorder.items():
		for row in rows:
			place = row.warehouse_group or row.warehouse
			level = flt(row.warehouse_reorder_level)
			if not place or level <= 0:
				continue
			total = sum((levels.get((code, wh), stock.Level()) for wh in within[place]), stock.Level())
			if total.available <= level:
				result[code].append(place)
	return result
