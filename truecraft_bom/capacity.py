"""Production Capacity records: how many of each manufactured item can be made now, stored so that the desk,
reports, alerts and sales channels read it without asking the engine.

One record per product for the company of its default BOM (a variant without a BOM of its own: its
template's), all the company's warehouses pooled; and one per product for the materials source warehouse of
TrueCraft Settings when one is set. The figures are the engine's (``engine.capacities`` and ``engine.cost``
over ``load_catalog``), so a record always equals ``api.capacity`` for the same stock.

A record is written only when its figures changed, through the document path (Webhooks, version history).
Refreshes run in background jobs (``truecraft_bom.refresh``), possibly several at once: each chunk takes a
database lock per product (in one order, so jobs queue instead of deadlocking), and reads stock only after
it holds them, in a transaction started after the locks. Whichever job writes a record last therefore read
the newest stock.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import frappe
from frappe.utils import flt, now_datetime, strip_html

from truecraft_bom import engine, errors
from truecraft_bom.catalog import load_catalog, structure
from truecraft_bom.truecraft_bom.doctype.truecraft_settings.truecraft_settings import get_settings

DOCTYPE = "Production Capacity"
CHUNK = 200  # products per transaction (and per job in a rebuild)
LOCK_WAIT = 60  # seconds a job waits for another one refreshing the same products
FIELDS = ("capacity", "unlimited", "limiting", "material_value", "problem")


@dataclass(frozen=True)
class Scope:
	"""Where a record's stock comes from: a company's warehouses pooled, or one warehouse (and its children)."""

	company: str
	warehouse: str | None = None


@dataclass(frozen=True)
class Figures:
	"""A record's figures as stored: ``limiting`` one item code a line; ``problem`` why it cannot be computed."""

	capacity: int = 0
	unlimited: int = 0
	limiting: str = ""
	material_value: float = 0
	problem: str = ""

	def differ(self, row) -> bool:
		return (
			flt(row.capacity) != self.capacity
			or int(row.unlimited or 0) != self.unlimited
			or (row.limiting or "") != self.limiting
			or flt(row.material_value, 2) != flt(self.material_value, 2)
			or (row.problem or "") != self.problem
		)


@dataclass
class Counts:
	"""What a refresh did, and where its time went (seconds)."""

	written: int = 0
	unchanged: int = 0
	deleted: int = 0
	load: float = 0
	compute: float = 0
	write: float = 0

	def add(self, other: Counts):
		for name, value in asdict(other).items():
			setattr(self, name, getattr(self, name) + value)


def products() -> list[str]:
	"""Every item that can be made, sorted."""
	return sorted(structure().products)


def affected(moved: Iterable[str] = (), changed: Iterable[str] = ()) -> set[str]:
	"""The products whose records a change touches.

	``moved``: items whose stock moved; their users at any depth. ``changed``: items whose BOM, flags or
	substitutes changed; themselves, their variants and the users of all of them, plus those that lost their
	BOM (their records go).
	"""
	base = structure()
	used_by = base.used_by
	result: set[str] = set()
	for code in moved:
		result |= used_by.get(code, frozenset())
	grown = set(changed)
	frontier = list(grown)
	while frontier:
		for variant in base.catalog.variants(frontier.pop()):
			if variant not in grown:
				grown.add(variant)
				frontier.append(variant)
	for code in grown:
		result |= used_by.get(code, frozenset())
	result |= grown & base.products
	gone = grown - base.products
	if gone:
		result.update(frappe.get_all(DOCTYPE, filters={"item_code": ("in", sorted(gone))}, pluck="item_code"))
	return result


def refresh(codes: Iterable[str], isolated: bool = True) -> Counts:
	"""Bring the records of the products ``codes`` up to date, in chunks; records of items that can no
	longer be made are deleted.

	``isolated``: each chunk in its own transaction under product locks (background jobs). Off, everything
	runs in the caller's transaction (tests drain the queue that way).
	"""
	counts = Counts()
	ordered = sorted(set(codes))
	for start in range(0, len(ordered), CHUNK):
		chunk = ordered[start : start + CHUNK]
		with _locked(chunk, isolated):
			counts.add(_refresh_chunk(chunk))
	return counts


def scopes(codes: Iterable[str]) -> dict[str, list[Scope]]:
	"""product -> the scopes it has a record for (products that cannot be made have none)."""
	base = structure()
	items = base.catalog.items
	source = get_settings().source_warehouse
	extra = [Scope(frappe.get_cached_value("Warehouse", source, "company"), source)] if source else []
	default = None
	result = {}
	for code in codes:
		if code not in base.products:
			continue
		company, template = base.companies.get(code), code
		while company is None and template:
			template = items[template].variant_of if template in items else None
			company = base.companies.get(template)
		if company is None:
			default = default or frappe.defaults.get_global_default("company")
			company = default
		result[code] = [Scope(company), *extra]
	return result


def figures(codes: list[str], scope: Scope, counts: Counts | None = None) -> dict[str, Figures]:
	"""The figures of ``codes`` with the stock of ``scope``, from the engine."""
	counts = counts or Counts()
	started = time.perf_counter()
	catalog = load_catalog(codes, scope.warehouse, scope.company)
	loaded = time.perf_counter()
	results, failures = engine.capacities(catalog, codes)
	result = {}
	for code, found in results.items():
		try:
			value = engine.cost(catalog, code, found.capacity).stock if found.capacity else 0
		except engine.EngineError as error:
			failures[code] = error
			continue
		result[code] = Figures(
			capacity=found.capacity or 0,
			unlimited=int(found.capacity is None),
			limiting="\n".join(found.limiting),
			material_value=flt(value, 2),
		)
	for code, error in failures.items():
		result[code] = Figures(problem=strip_html(errors.message(error)))
	counts.load += loaded - started
	counts.compute += time.perf_counter() - loaded
	return result


def records(codes: Iterable[str]) -> dict[tuple[str, Scope], frappe._dict]:
	"""The stored records of ``codes`` by (item, scope); duplicates, if any, under their own name."""
	rows = frappe.get_all(
		DOCTYPE,
		filters={"item_code": ("in", sorted(set(codes)))},
		fields=["name", "item_code", "company", "warehouse", *FIELDS],
		order_by="creation asc, name asc",
	)
	result = {}
	for row in rows:
		key = (row.item_code, Scope(row.company, row.warehouse or None))
		result[row.name if key in result else key] = row
	return result


def _refresh_chunk(codes: list[str]) -> Counts:
	counts = Counts()
	stored = records(codes)
	wanted: dict[Scope, list[str]] = defaultdict(list)
	for code, product_scopes in scopes(codes).items():
		for scope in product_scopes:
			wanted[scope].append(code)
	stamp = now_datetime()
	for scope, members in wanted.items():
		for code, new in figures(members, scope, counts).items():
			started = time.perf_counter()
			row = stored.pop((code, scope), None)
			if row is None:
				_insert(code, scope, new, stamp)
				counts.written += 1
			elif new.differ(row):
				_update(row.name, new, stamp)
				counts.written += 1
			else:
				counts.unchanged += 1
			counts.write += time.perf_counter() - started
	for row in stored.values():  # no longer made, or no longer a scope it is counted in
		started = time.perf_counter()
		# kept as a Deleted Document, where a sales channel can see that it went
		frappe.delete_doc(DOCTYPE, row.name, ignore_permissions=True)
		counts.deleted += 1
		counts.write += time.perf_counter() - started
	return counts


def _insert(code: str, scope: Scope, new: Figures, stamp):
	doc = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"item_code": code,
			"company": scope.company,
			"warehouse": scope.warehouse,
			"refreshed_at": stamp,
			**asdict(new),
		}
	)
	doc.insert(ignore_permissions=True)


def _update(name: str, new: Figures, stamp):
	doc = frappe.get_doc(DOCTYPE, name)
	doc.update({"refreshed_at": stamp, **asdict(new)})
	doc.flags.ignore_links = True  # only figures change: item, company and warehouse were checked on insert
	doc.save(ignore_permissions=True, ignore_version=False)  # the history of a record is its versions


@contextmanager
def _locked(codes: list[str], isolated: bool) -> Iterator[None]:
	"""Hold a database lock per product, then run in a new transaction that commits at the end."""
	if not isolated:
		yield
		return
	frappe.db.commit()  # reads from here on come after the locks
	held = []
	try:
		for name in sorted(_lock_name(code) for code in codes):
			if not frappe.db.sql("select get_lock(%s, %s)", (name, LOCK_WAIT))[0][0]:
				raise frappe.RetryBackgroundJobError(f"Production Capacity: waited {LOCK_WAIT} s for {name}")
			held.append(name)
		yield
		frappe.db.commit()
	finally:
		for name in held:
			frappe.db.sql("select release_lock(%s)", name)


def _lock_name(code: str) -> str:
	# named locks are server-wide and at most 64 characters: one per site and product
	digest = hashlib.sha1(f"{frappe.local.site}\0{code}".encode()).hexdigest()
	return f"tc_capacity:{digest}"
