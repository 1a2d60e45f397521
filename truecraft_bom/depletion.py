"""Sales deplete materials: the Frappe side of ``engine.depletion``.

For the made-to-order lines of a submitted sale: lock the stock rows the sale may touch, ask the engine what
to take, and post it as Stock Entries in the same transaction: a Manufacture for the finished-stock shortfall
when the document itself then issues the product, or a Material Issue of the materials when it does not.
Cancelling the sale cancels those entries after the sale has returned its product.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, get_time, getdate

from truecraft_bom import accounts, engine, stock
from truecraft_bom.catalog import load_catalog
from truecraft_bom.errors import throw
from truecraft_bom.truecraft_bom.doctype.truecraft_settings.truecraft_settings import get_settings

MANUFACTURE = "Manufacture"
MATERIAL_ISSUE = "Material Issue"


@dataclass
class Source:
	"""The made-to-order lines whose materials come from one warehouse, and what the engine made of them."""

	warehouse: str
	sold: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
	catalog: engine.Catalog | None = None
	materials: set[str] = field(default_factory=set)
	builds: tuple[engine.Build, ...] = ()

	@property
	def keys(self) -> list[tuple[str, str]]:
		"""(product, selling warehouse) in a fixed order; ``builds`` follow it."""
		return sorted(self.sold)


@dataclass
class Depletion:
	"""One sale's depletion as it goes through the steps of ``deplete``."""

	doc: object
	purpose: str
	settings: object
	sources: dict[str, Source] = field(default_factory=dict)
	locked: dict[tuple[str, str], stock.Level] = field(default_factory=dict)

	@property
	def use_finished(self) -> bool:
		return self.purpose == MANUFACTURE and bool(self.settings.use_finished_stock)


def deplete(doc, purpose: str) -> list[str]:
	"""Post the Stock Entries that take the made-to-order lines of ``doc`` out of stock; returns their names."""
	settings = get_settings()
	if not settings.deplete_on_sale or doc.get("is_return"):
		return []
	sale = Depletion(doc, purpose, settings)
	_group_by_source(sale)
	if not sale.sources:
		return []
	_load(sale)
	_lock(sale)
	_plan(sale)  # every line checked before anything is posted
	posted = _post_all(sale)
	if posted:
		frappe.msgprint(
			_("Materials taken from stock by {0}").format(", ".join(posted)), alert=True, indicator="green"
		)
	return posted


def reverse(doc):
	"""Cancel the entries a sale posted, newest first (the sale has already returned its own product)."""
	names = frappe.get_all(
		"Stock Entry",
		filters={"tc_source_doctype": doc.doctype, "tc_source_name": doc.name, "docstatus": 1},
		order_by="creation desc, name desc",
		pluck="name",
	)
	for name in names:
		entry = frappe.get_doc("Stock Entry", name)
		entry.flags.truecraft_reversal = True
		entry.flags.ignore_permissions = True
		entry.cancel()


def _group_by_source(sale: Depletion):
	"""One sale line per (product, selling warehouse), under the warehouse its materials come from."""
	for row in _made_to_order_rows(sale.doc):
		source = sale.settings.source_warehouse or row.warehouse
		if not source:
			frappe.throw(
				_("Row {0}: set a warehouse, or a materials source warehouse in TrueCraft Settings").format(
					row.idx
				)
			)
		group = sale.sources.setdefault(source, Source(source))
		group.sold[(row.item_code, row.warehouse)] += flt(row.stock_qty) or flt(row.qty)


def _load(sale: Depletion):
	"""The BOM structure of the products sold, and the materials their builds may draw on."""
	for source in sale.sources.values():
		products = sorted({product for product, _warehouse in source.sold})
		source.catalog = load_catalog(products, stock=False)
		try:
			source.materials = engine.materials_of(source.catalog, products)
		except engine.EngineError as error:
			throw(error, title=_("Cannot deplete materials"))


def _lock(sale: Depletion):
	"""Lock every stock row the sale may touch, all sources together, in one fixed order: the materials, and
	the products in their selling warehouses when a Manufacture brings them there (created when missing, so
	that two first sales of a new product queue instead of racing to create its stock row)."""
	materials, products = set(), set()
	for source in sale.sources.values():
		materials |= {(code, source.warehouse) for code in source.materials}
		if sale.purpose == MANUFACTURE:
			products |= set(source.sold)
	sale.locked = stock.lock(materials, create=products)


def _plan(sale: Depletion):
	"""Ask the engine what each source's lines take; a shortage anywhere stops the sale with one error."""
	for source in sale.sources.values():
		none = stock.Level()
		catalog = source.catalog.with_stock(
			{
				code: (level.on_hand, level.reserved)
				for code in source.materials
				for level in [sale.locked.get((code, source.warehouse), none)]
			}
		)
		lines = [
			engine.SaleLine(
				product,
				engine.exact(source.sold[(product, warehouse)]),
				sale.locked.get((product, warehouse), none).available if sale.use_finished else 0,
			)
			for product, warehouse in source.keys
		]
		try:
			source.builds = engine.plan_depletion(
				catalog, lines, sale.settings.consumables_at_sale == "Deplete"
			)
		except engine.ShortageError as error:
			throw(error, context={"warehouse": source.warehouse, "doctype": _(sale.doc.doctype)})
		except engine.EngineError as error:
			throw(error, title=_("Cannot deplete materials"))


def _post_all(sale: Depletion) -> list[str]:
	todo = [
		(source, product, selling_warehouse, build)
		for warehouse in sorted(sale.sources)
		for source in [sale.sources[warehouse]]
		for (product, selling_warehouse), build in zip(source.keys, source.builds, strict=True)
		if build.qty
	]
	times = _posting_times(sale.doc, len(todo))
	return [_post(sale, *args, posting=posting) for args, posting in zip(todo, times, strict=True)]


def _posting_times(doc, count: int) -> list[tuple]:
	"""(posting date, posting time) of each of ``count`` entries: one microsecond apart, the last one
	microsecond before the sale. ERPNext treats any stock movement at or after a document's own posting time
	as a later one and queues a repost of every item and warehouse the document touches (Repost Item
	Valuation); entries at the sale's own time would make each of them, and the sale, look backdated. Posted
	just before, in the order they are made, each sees the previous ones as earlier and nothing needs a repost;
	the valuation is the same, since ERPNext orders same-time movements by creation anyway."""
	sale_time = get_datetime(f"{getdate(doc.posting_date)} {get_time(doc.posting_time)}")
	return [
		(instant.date(), instant.time())
		for n in range(count, 0, -1)
		for instant in [sale_time - timedelta(microseconds=n)]
	]


def _made_to_order_rows(doc):
	"""Rows of items marked to deplete on sale that this document must deplete (not done upstream)."""
	codes = {row.item_code for row in doc.items if row.item_code}
	if not codes:
		return []
	marked = set(
		frappe.get_all("Item", filters={"name": ("in", list(codes)), "tc_deplete_on_sale": 1}, pluck="name")
	)
	rows = []
	for row in doc.items:
		if row.item_code not in marked or flt(row.qty) <= 0:
			continue
		if doc.doctype == "Sales Invoice" and row.get("dn_detail"):
			continue  # the Delivery Note depleted it
		if doc.doctype == "Delivery Note" and row.get("si_detail") and _depleted(row.against_sales_invoice):
			continue  # the Sales Invoice depleted it
		rows.append(row)
	return rows


def _depleted(sales_invoice: str | None) -> bool:
	return bool(
		sales_invoice
		and frappe.db.exists(
			"Stock Entry",
			{"tc_source_doctype": "Sales Invoice", "tc_source_name": sales_invoice, "docstatus": 1},
		)
	)


def _post(
	sale: Depletion, group: Source, product: str, warehouse: str, build: engine.Build, posting: tuple
) -> str:
	"""One Stock Entry for one sold line: its materials out of the source warehouse (and, for a Manufacture,
	the product into ``warehouse`` with the non-stock costs, the scrap and each material's overage)."""
	doc, company, source = sale.doc, sale.doc.company, group.warehouse
	order = None
	if sale.purpose == MANUFACTURE:
		# what setup and attrition add, and the scrap, of the same build (engine.order)
		order = engine.required_items(group.catalog, product, build.qty)
	overage = {row.item: engine.exact(row.overage) for row in order.items} if order else {}
	entry = frappe.new_doc("Stock Entry")
	entry.update(
		{
			"stock_entry_type": sale.purpose,
			"purpose": sale.purpose,
			"company": company,
			"set_posting_time": 1,
			"posting_date": posting[0],
			"posting_time": posting[1],
			"tc_source_doctype": doc.doctype,
			"tc_source_name": doc.name,
			"remarks": _("Materials for {0} {1} of {2} sold on {3} {4}").format(
				build.qty, product, warehouse, _(doc.doctype), doc.name
			),
		}
	)
	cost_center = doc.get("cost_center") or frappe.get_cached_value("Company", company, "cost_center")
	expense = None
	if sale.purpose == MATERIAL_ISSUE:
		expense = frappe.get_cached_value("Company", company, "default_expense_account")
	for draw in build.materials:
		row = {"item_code": draw.item, "qty": draw.qty, "s_warehouse": source, "cost_center": cost_center}
		if expense:
			row["expense_account"] = expense
		if overage.get(draw.item):
			taken = min(engine.exact(draw.qty), overage[draw.item])
			overage[draw.item] -= taken
			row["tc_overage_qty"] = engine.to_decimal(taken)
		entry.append("items", row)
	if sale.purpose == MANUFACTURE:
		entry.append(
			"items",
			{
				"item_code": product,
				"qty": build.qty,
				"t_warehouse": warehouse,
				"is_finished_item": 1,
				"cost_center": cost_center,
			},
		)
		scrap_warehouse = (
			frappe.db.get_single_value("Manufacturing Settings", "default_scrap_warehouse") or warehouse
		)
		for scrap in order.scrap:
			entry.append(
				"items",
				{
					"item_code": scrap.item,
					"qty": scrap.qty,
					"t_warehouse": scrap_warehouse,
					"is_scrap_item": 1,
					"cost_center": cost_center,
				},
			)
		accounts.set_non_stock_costs(entry, build.non_stock, sale.settings)
	entry.flags.ignore_permissions = True
	entry.insert()
	entry.submit()
	return entry.name
