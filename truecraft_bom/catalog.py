"""Load the engine's Catalog from ERPNext in a constant number of bulk queries, whatever the BOM depth.

The structure (what does not move with stock) is read in five queries and kept per process, keyed by a
version counter in Redis that every change to a BOM, Item, Item Alternative, UOM or Item Attribute bumps
(at once, and again after the transaction commits or rolls back). It is also kept in Redis (pickled, with
its where-used index once computed) for the other processes: an RQ worker runs each job in a fresh process,
and unpickling is several times faster than reading and indexing the structure again. A transaction that
changed the structure does not share what it loads until it commits (it sees its own uncommitted rows).
1. every default BOM (active, submitted, ``is_default``) joined with its lines and the line-rule fields
   (``engine.rules.LINE_RULES``), then the scrap items of those BOMs;
2. Item Alternatives of the items those BOMs name (substitutes; ``two_way`` honoured);
3. all those items, their substitutes and the variants of any of them (flags, whole-number UOM, rates);
4. attributes of the variants among them.
Stock is read per call, for the items the asked products actually use:
5. Bin quantities for a warehouse (and its children), a company, or the whole site (``truecraft_bom.stock``).

Quantities are in stock UOM (BOM Item ``stock_qty``); what counts as reserved is decided in
``truecraft_bom.stock``.
"""

from __future__ import annotations

import json
import pickle
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import frappe

from truecraft_bom import engine, stock
from truecraft_bom.engine import Bom, Catalog, Item, Line, Scrap
from truecraft_bom.engine.rules import LINE_RULES

# The site's structure position is (epoch, change number). The epoch is a random token made when Redis has
# none (first use, or Redis was emptied): a process holding another epoch's structure reloads it in full. The
# change number counts changes; the change log holds the last LOG_SIZE of them, each appended atomically with
# its number, so a process applies exactly the changes since its own number, or reloads in full when they
# are no longer all there.
EPOCH_KEY = "truecraft_bom:structure_epoch"
VERSION_KEY = "truecraft_bom:structure_version"
LOG_KEY = "truecraft_bom:structure_log"
LOG_SIZE = 2000
# the pickled structure (SHARED_KEY:version names its version); the suffix changes with Structure's fields
SHARED_KEY = "truecraft_bom:structure:2"
SHARED_TTL = 24 * 3600
# a fresh process that had to apply this many changes to the shared copy shares its result
RESHARE_AFTER = 100
# Item fields the structure is built from (with the variant attributes): a save that changes none of them
# changes nothing the engine reads
ITEM_FIELDS = (
	"is_stock_item",
	"variant_of",
	"has_variants",
	"valuation_rate",
	"last_purchase_rate",
	"stock_uom",
)

_RECORD = """
local number = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], number .. ' ' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
return number
"""


@dataclass(frozen=True)
class Structure:
	"""The site's BOMs and the items they involve, without stock; ``substitutes`` by item code, ``companies``
	the company of each product's default BOM."""

	catalog: Catalog
	substitutes: dict[str, tuple[str, ...]]
	companies: dict[str, str] = field(default_factory=dict)
	# the structure position it reflects, (epoch, change number) (None: not the site's, e.g. with unsaved
	# BOMs standing in)
	version: tuple[bytes, int] | None = field(default=None, compare=False)
	# items without valuation or last purchase rate, whose rate is a BOM line's: a BOM change may change it
	line_rated: frozenset[str] = field(default=frozenset(), compare=False)

	@cached_property
	def products(self) -> frozenset[str]:
		"""Items that can be made: a default BOM of their own or lines inherited from a template (templates
		themselves excluded)."""
		return frozenset(self._uses)

	@cached_property
	def used_by(self) -> dict[str, frozenset[str]]:
		"""item -> the products whose build involves it at any depth: ``engine.where_used`` for every item at
		once, computed once per cached structure."""
		index: dict[str, set[str]] = defaultdict(set)
		for product, codes in self._uses.items():
			for code in codes:
				index[code].add(product)
		return {code: frozenset(products) for code, products in index.items()}

	@cached_property
	def _uses(self) -> dict[str, set[str]]:
		"""product -> the other items its build involves (sub-assemblies, materials, substitutes)."""
		catalog = self.catalog
		# variants (of variants) of anything with a BOM may inherit its lines
		candidates = _with_variants(catalog, catalog.boms)
		uses: dict[str, set[str]] = {}
		for code in sorted(candidates):
			found = _items_used(catalog, code)
			if found is not None:
				uses[code] = found
		self.__dict__["_uses"] = uses  # what cached_property would store, in time for _share to see it
		_share(self)
		return uses


# site -> the structure this process loaded last, reused while its version holds, brought up to date by
# applying the change log
_structures: dict[str, Structure] = {}


def load_catalog(
	items: Iterable[str] = (),
	warehouse: str | None = None,
	company: str | None = None,
	boms: Mapping[str, object] | None = None,
	stock: bool = True,
) -> Catalog:
	"""The catalog for ``items``: the site's BOM structure, with stock of ``warehouse``/``company`` (or the
	whole site) for every item the builds of ``items`` use.

	``boms`` maps a product to an unsaved BOM document (or anything with ``items`` rows) that stands in for
	its default BOM, so a BOM can be validated before it is saved.
	"""
	items = [code for code in items if code]
	base = structure()
	missing = set(items) - base.catalog.items.keys()
	for doc in (boms or {}).values():
		rows = [*(doc.get("items") or []), *(doc.get("scrap_items") or [])]
		missing |= {row.item_code for row in rows if row.get("item_code")}
		missing -= base.catalog.items.keys()
	if missing or boms:
		base = _extend(base, missing, boms or {})
	catalog = base.catalog
	if not stock:
		return catalog
	codes = _used_items(catalog, items, base.__dict__.get("_uses"))
	on_hand, rates = _stock(codes, warehouse, company)
	return catalog.with_stock(on_hand, rates)


def structure() -> Structure:
	"""The site's BOM structure: this process's copy, brought up to date with the changes other processes
	recorded since (only what they changed is read again), or loaded in full when it has none, another epoch's,
	or the changes since its own are no longer all in the log."""
	site = frappe.local.site
	version = _version()
	if version is None:  # Redis was emptied (or never had it): a new epoch
		_start()
		version = _version()
	cached = _structures.get(site)
	if cached is not None and version is not None:
		if cached.version == version:
			return cached
		updated = _brought_up_to_date(cached, version)
		if updated is not None:
			_structures[site] = updated
			return updated
	loaded = _shared(version)
	if loaded is not None and loaded.version != version:
		behind = version[1] - loaded.version[1]
		loaded = _brought_up_to_date(loaded, version)
		if loaded is not None and behind >= RESHARE_AFTER:
			_share(loaded)  # fresh processes (RQ jobs) then start from here, not from far behind
	if loaded is None:
		loaded = _load_structure(version)
		_share(loaded)
	_structures[site] = loaded
	return loaded


def changed(doc, method=None):
	"""doc_events handler of BOM, Item, Item Alternative, UOM and Item Attribute: record what the structure must
	read again, and refresh the Production Capacity records it touches. A save that changes nothing the
	structure is built from (an Item's description, a UOM's name) records nothing."""
	change = _change_of(doc, method)
	if change is None:
		return
	invalidate(doc, method, change)
	from truecraft_bom import refresh

	refresh.structure_changed(doc, method)


def invalidate(doc=None, method=None, change: list | None = None):
	"""Something the BOM structure is built from changed: ``change`` (by default what ``doc`` is, or
	everything) is read again by every process, at once and again once this transaction commits or rolls
	back (a process that read it in between read the old rows)."""
	if change is None:
		change = (_change_of(doc, method) if doc is not None else None) or ["all"]
	_record(change)
	frappe.db.after_commit.add(lambda: _settled(change))
	frappe.db.after_rollback.add(lambda: _settled(change))
	# until then, what this transaction loads includes its own uncommitted rows: not for other processes
	frappe.local.truecraft_structure_changed = True


def _settled(change: list):
	frappe.local.truecraft_structure_changed = False
	_record(change)


def _change_of(doc, method=None) -> list | None:
	"""What a document's change makes the structure read again: [kind, names...], or None for nothing."""
	doctype = doc.doctype
	if doctype == "BOM":
		return ["bom", doc.item]
	before = doc.get_doc_before_save() if method == "on_update" else None
	if doctype == "Item":
		if method == "after_rename":
			return ["all"]
		if before is not None and not _item_differs(doc, before):
			return None
		return ["item", doc.name]
	if doctype == "Item Alternative":
		names = {doc.item_code, doc.alternative_item_code}
		if before is not None:
			names |= {before.item_code, before.alternative_item_code}
		return ["alternative", *sorted(name for name in names if name)]
	if doctype == "UOM":
		if before is not None and bool(before.must_be_whole_number) == bool(doc.must_be_whole_number):
			return None
		return ["uom", doc.name]
	if doctype == "Item Attribute":
		return ["attribute", doc.name]
	return ["all"]


def _item_differs(doc, before) -> bool:
	"""Whether an Item save changed a field the structure reads (flags, variant links, rates, UOM,
	attributes)."""
	if any((doc.get(name) or None) != (before.get(name) or None) for name in ITEM_FIELDS):
		return True

	def attributes(item):
		return sorted((row.attribute, str(row.attribute_value or "")) for row in item.get("attributes") or [])

	return attributes(doc) != attributes(before)


def _key(name: str) -> str:
	return frappe.cache.make_key(name)


def _version() -> tuple[bytes, int] | None:
	"""The site's structure position (epoch, change number), None when Redis lacks either."""
	epoch, number = frappe.cache.mget([_key(EPOCH_KEY), _key(VERSION_KEY)])
	if epoch is None or number is None:
		return None
	return epoch, int(number)


def _start():
	"""A new epoch (first use, or Redis was emptied): every process's structure is reloaded in full. A
	counter started again always starts a new epoch, so that no change number is ever reused in one."""
	if frappe.cache.set(_key(VERSION_KEY), 0, nx=True):
		frappe.cache.set(_key(EPOCH_KEY), secrets.token_hex(8))
		frappe.cache.delete(_key(LOG_KEY))  # numbered in the old count
		_rebuild_capacities()
	else:
		frappe.cache.set(_key(EPOCH_KEY), secrets.token_hex(8), nx=True)


def _rebuild_capacities():
	"""Redis held no counter: first use, or Redis was emptied (flushed, restarted) and with it the capacity
	refreshes it held pending. Every Production Capacity record is rebuilt (one job), so that none stays behind
	until the hourly backstop. Never fails the caller (a sale that found Redis empty)."""
	from truecraft_bom import refresh

	try:
		refresh.rebuild()
	except Exception:
		frappe.log_error(title="Production Capacity: could not queue a rebuild")


def _record(change: list) -> int:
	"""Append ``change`` to the log under the next change number (atomically) and return the number."""
	if _version() is None:
		_start()
	return int(
		frappe.cache.eval(
			_RECORD, 2, _key(VERSION_KEY), _key(LOG_KEY), json.dumps(change), LOG_SIZE, SHARED_TTL
		)
	)


def _bump():
	"""Everything changed (kept for callers that do not know what)."""
	_record(["all"])


def _changes(since: int, until: int) -> list[list] | None:
	"""The changes numbered after ``since`` up to at least ``until``; None when some are no longer logged."""
	log = _key(LOG_KEY)
	first = frappe.cache.lindex(log, 0)
	if first is None:
		return None
	start = since + 1 - int(first.split(b" ", 1)[0])
	if start < 0:
		return None  # trimmed past
	entries = frappe.cache.lrange(LOG_KEY, start, -1)  # RedisWrapper.lrange makes the key itself
	changes = []
	expected = since + 1
	for entry in entries:
		number, text = entry.split(b" ", 1)
		if int(number) != expected:
			return None
		changes.append(json.loads(text))
		expected += 1
	return changes if expected > until else None


def _brought_up_to_date(base: Structure, version: tuple[bytes, int]) -> Structure | None:
	"""``base`` with the logged changes since its version applied, or None (reload it in full)."""
	if base.version is None or base.version[0] != version[0] or base.version[1] > version[1]:
		return None
	changes = _changes(base.version[1], version[1])
	if changes is None or any(change[0] == "all" for change in changes):
		return None
	# the log may already hold later changes than ``version``: they are applied too
	return _apply(base, changes, (version[0], base.version[1] + len(changes)))


def _apply(base: Structure, changes: list[list], version: tuple[bytes, int]) -> Structure:
	"""``base`` with what ``changes`` name read again: the default BOM of each changed BOM's product (and of
	the products whose lines name an item whose substitutes changed), and the changed items with their
	variants, substitutes and attributes. Variants inherit their templates' lines live in the engine, so a
	template's BOM change reaches them without reading them. The engine's memo is kept for what the change
	cannot reach (``Catalog.changed``); the where-used index, when computed, is recomputed for the affected
	products only."""
	named: dict[str, set[str]] = defaultdict(set)
	for kind, *names in changes:
		named[kind].update(names)
	known = base.catalog.items
	items = set(named["item"]) | named["alternative"]
	products = set(named["bom"]) | _parents(named["alternative"])
	if named["uom"]:
		items |= _items_using("stock_uom", named["uom"]) & known.keys()
	if named["attribute"]:
		items |= _items_using("attribute", named["attribute"]) & known.keys()
	items |= products - known.keys()  # a product new to the structure is read with its BOM
	bom_rows = _default_boms(products) if products else {}
	old_boms = base.catalog.boms
	# the items the reloaded BOMs name, before and after: read when new to the structure, or when their rate
	# is a BOM line's
	named_by_lines: set[str] = set()
	for product in products:
		bom = old_boms.get(product)
		if bom is not None:
			named_by_lines.update(line.item for line in bom.lines)
			named_by_lines.update(scrap.item for scrap in bom.scrap)
	for header, lines in bom_rows.values():
		named_by_lines.update(row.item_code for row in lines)
		named_by_lines.update(row.item_code for row in header["scrap"])
	items |= (named_by_lines - known.keys()) | (named_by_lines & base.line_rated)
	substitutes = dict(base.substitutes)
	catalog_items = dict(known)
	line_rated = set(base.line_rated)
	if items:
		# substitutes change only with Item Alternatives; items new to the structure have theirs read
		asked = named["alternative"] | (items - known.keys())
		fresh = _substitutes(asked) if asked else {}
		for code in asked:  # complete for these codes (see _substitutes)
			if code in fresh:
				substitutes[code] = fresh[code]
			else:
				substitutes.pop(code, None)
		rows = _items(items | {code for code in asked for code in fresh.get(code, ())})
		found = {row.name for row in rows}
		for code in named["item"] - found:  # deleted
			catalog_items.pop(code, None)
		unrated = {row.name for row in rows if not (row.valuation_rate or row.last_purchase_rate)}
		rates = _line_rates(unrated)
		line_rated -= found
		line_rated |= unrated
		catalog_items.update((item.code, item) for item in _items_of(rows, rates))
	boms = dict(old_boms)
	companies = dict(base.companies)
	for product in products:
		if product in bom_rows:
			header, lines = bom_rows[product]
			boms[product] = _bom(product, header, lines, substitutes, header["scrap"])
			companies[product] = header["company"]
		else:  # no default BOM any more
			boms.pop(product, None)
			companies.pop(product, None)
	# the engine keeps what it resolved and compiled for the products the change cannot reach
	catalog = base.catalog.changed(catalog_items, boms, items | products)
	updated = Structure(catalog, substitutes, companies, version, frozenset(line_rated))
	if "_uses" in base.__dict__:
		_update_uses(base, updated, items | products)
	return updated


def _with_variants(catalog: Catalog, codes: Iterable[str]) -> set[str]:
	"""``codes`` and their variants, and the variants of those, at any depth."""
	found = set(codes)
	frontier = list(found)
	while frontier:
		for variant in catalog.variants(frontier.pop()):
			if variant not in found:
				found.add(variant)
				frontier.append(variant)
	return found


def _items_used(catalog: Catalog, code: str) -> set[str] | None:
	"""The other items the product's build involves; None when ``code`` is not a product (no item, a
	template, nothing to build). A product whose BOM cannot be resolved uses nothing: its record says why."""
	item = catalog.items.get(code)
	if item is None or item.has_variants:
		return None
	try:
		return engine.items_used(catalog, code) - {code}
	except engine.NoBomError:
		return None
	except engine.EngineError:
		return set()


def _update_uses(base: Structure, updated: Structure, changed: set[str]):
	"""``updated``'s where-used index from ``base``'s: the products whose builds involve a changed item, the
	changed items and their variants (at any depth) are asked to the engine again, the others kept."""
	catalog = updated.catalog
	old_uses: dict[str, set[str]] = base.__dict__["_uses"]
	affected = _with_variants(catalog, changed)  # variants (of variants) inherit the changed templates' lines
	used_by = base.__dict__.get("used_by")
	if used_by is None:
		users = {product for product, codes in old_uses.items() if not codes.isdisjoint(affected)}
	else:
		users = {product for code in affected for product in used_by.get(code, ())}
	affected |= users
	uses = dict(old_uses)
	index = None if used_by is None else {code: set(products) for code, products in used_by.items()}
	for product in affected:
		old = uses.pop(product, ())
		if index is not None:
			for code in old:
				index[code].discard(product)
		found = _items_used(catalog, product)
		if found is None:
			continue
		uses[product] = found
		if index is not None:
			for code in uses[product]:
				index.setdefault(code, set()).add(product)
	updated.__dict__["_uses"] = uses
	if index is not None:
		updated.__dict__["used_by"] = {
			code: frozenset(products) for code, products in index.items() if products
		}


def _load_structure(version: tuple[bytes, int] | None = None) -> Structure:
	bom_rows = _default_boms()
	codes = set(bom_rows)
	for header, lines in bom_rows.values():
		codes.update(row.item_code for row in lines)
		codes.update(row.item_code for row in header["scrap"])
	base = _build(bom_rows, codes)
	return Structure(base.catalog, base.substitutes, base.companies, version, base.line_rated)


def _share(base: Structure):
	"""Keep ``base`` in Redis for other processes, without the engine's memoised resolution (large, and
	rebuilt per product on demand) but with the where-used index when it has been computed."""
	if base.version is None or getattr(frappe.local, "truecraft_structure_changed", False):
		return
	clean = Structure(
		Catalog(base.catalog.items, base.catalog.boms),
		base.substitutes,
		base.companies,
		base.version,
		base.line_rated,
	)
	if "_uses" in base.__dict__:
		clean.__dict__["_uses"] = base.__dict__["_uses"]
	try:
		blob = pickle.dumps(clean, protocol=pickle.HIGHEST_PROTOCOL)
		pipe = frappe.cache.pipeline()
		pipe.set(frappe.cache.make_key(SHARED_KEY), blob, ex=SHARED_TTL)
		pipe.set(
			frappe.cache.make_key(f"{SHARED_KEY}:version"), json.dumps(_shown(base.version)), ex=SHARED_TTL
		)
		pipe.execute()
	except Exception:
		frappe.logger("truecraft_bom").warning("could not share the BOM structure in Redis", exc_info=True)


def _shared(version: tuple[bytes, int] | None) -> Structure | None:
	"""The structure another process shared in the epoch of ``version``, at ``version`` or before it (the
	caller applies the changes since), if any."""
	if version is None:
		return None
	shared = frappe.cache.get(frappe.cache.make_key(f"{SHARED_KEY}:version"))
	try:
		epoch, number = json.loads(shared)
	except Exception:
		return None
	if epoch != _shown(version)[0] or number > version[1]:
		return None
	try:
		found = pickle.loads(frappe.cache.get(frappe.cache.make_key(SHARED_KEY)))
	except Exception:  # replaced meanwhile, expired, or written by other code
		return None
	if not isinstance(found, Structure) or found.version is None or found.version[0] != version[0]:
		return None
	return found


def _shown(version: tuple[bytes, int]) -> list:
	epoch, number = version
	return [epoch.decode() if isinstance(epoch, bytes) else epoch, number]


def _extend(base: Structure, missing: set[str], overrides: Mapping[str, object]) -> Structure:
	"""The structure plus items it does not know and unsaved BOMs standing in for default ones."""
	substitutes = dict(base.substitutes)
	items = dict(base.catalog.items)
	if missing:
		extra = _build({}, missing)
		substitutes.update(extra.substitutes)
		items.update(extra.catalog.items)
	boms = dict(base.catalog.boms)
	for product, doc in overrides.items():
		rows = [row for row in doc.get("items") or [] if row.get("item_code")]
		boms[product] = _bom(product, doc, rows, substitutes, doc.get("scrap_items") or ())
	return Structure(Catalog(items.values(), boms.values()), substitutes, base.companies)


def _build(bom_rows: dict[str, tuple[dict, list]], codes: set[str]) -> Structure:
	substitutes = _substitutes(codes)
	codes = codes | {code for options in substitutes.values() for code in options}
	item_rows = _items(codes)
	line_rate: dict[str, float] = {}
	for _header, lines in bom_rows.values():
		for row in lines:
			if row.base_rate and row.item_code not in line_rate:
				line_rate[row.item_code] = row.base_rate / (row.conversion_factor or 1)
	catalog_items = _items_of(item_rows, line_rate)
	line_rated = frozenset(
		row.name for row in item_rows if not (row.valuation_rate or row.last_purchase_rate)
	)
	catalog_boms = [
		_bom(product, header, lines, substitutes, header["scrap"])
		for product, (header, lines) in bom_rows.items()
	]
	companies = {product: header["company"] for product, (header, _lines) in bom_rows.items()}
	return Structure(Catalog(catalog_items, catalog_boms), substitutes, companies, line_rated=line_rated)


def _items_of(item_rows, line_rate: Mapping[str, float]) -> list[Item]:
	"""Engine items of ``_items`` rows (with their variants' attributes); ``line_rate``: the rate of a BOM
	line naming the item, for an item with neither valuation nor last purchase rate."""
	attributes = _attributes([row.name for row in item_rows if row.variant_of])
	return [
		Item(
			code=row.name,
			is_stock=bool(row.is_stock_item),
			rate=row.valuation_rate or row.last_purchase_rate or line_rate.get(row.name) or 0,
			whole_number=bool(row.must_be_whole_number),
			variant_of=row.variant_of or None,
			has_variants=bool(row.has_variants),
			attributes=attributes.get(row.name, {}),
		)
		for row in item_rows
	]


def line_from_row(row, substitutes: Mapping[str, tuple[str, ...]] | None = None) -> Line:
	"""A BOM Item row (document or query row) as an engine Line; the line rules come from their fields."""
	qty = row.get("stock_qty")
	if qty is None:
		qty = (row.get("qty") or 0) * (row.get("conversion_factor") or 1)
	return Line(
		item=row.item_code,
		qty=qty,
		explode=not row.get("do_not_explode"),
		substitutes=(substitutes or {}).get(row.item_code, ()),
		**{rule.name: _rule_value(rule, row.get(rule.field)) for rule in LINE_RULES},
	)


def _rule_value(rule, value):
	"""A custom field's value as the rule's engine value (an empty number field means the rule's default)."""
	if rule.kind == "flag":
		return bool(value)
	if rule.numeric:
		return value if value else rule.default
	return value or ""


def _bom(product: str, header, lines, substitutes, scrap=()) -> Bom:
	# a batch quantity of zero is the engine's to report, with the others
	return Bom(
		product=product,
		quantity=header.get("quantity") or 0,
		lines=tuple(line_from_row(row, substitutes) for row in lines),
		scrap=tuple(Scrap(row.item_code, _stock_qty(row)) for row in scrap if row.get("item_code")),
	)


def _stock_qty(row):
	qty = row.get("stock_qty")
	return qty if qty is not None else (row.get("qty") or 0) * (row.get("conversion_factor") or 1)


def _used_items(catalog: Catalog, products: list[str], known: dict[str, set[str]] | None = None) -> set[str]:
	"""Items whose stock the builds of ``products`` can touch (the products themselves included); ``known``:
	the structure's where-used index when it has been computed (the same sets, already made)."""
	codes = set(products)
	for product in products:
		if known is not None and product in known:
			codes |= known[product]
			continue
		try:
			codes |= engine.items_used(catalog, product)
		except engine.EngineError:
			pass  # the engine call that follows reports it
	return codes


def _default_boms(products: set[str] | None = None) -> dict[str, tuple[dict, list]]:
	"""product -> (BOM header with its scrap rows, its lines in order), for every default BOM (or those of
	``products``), in two queries."""
	bom = frappe.qb.DocType("BOM")
	bom_item = frappe.qb.DocType("BOM Item")
	rows = (
		frappe.qb.from_(bom)
		.left_join(bom_item)
		.on(
			(bom_item.parent == bom.name) & (bom_item.parenttype == "BOM") & (bom_item.parentfield == "items")
		)
		.select(
			bom.name.as_("bom"),
			bom.item.as_("product"),
			bom.company.as_("bom_company"),
			bom.quantity.as_("bom_quantity"),
			bom_item.item_code,
			bom_item.stock_qty,
			bom_item.conversion_factor,
			bom_item.do_not_explode,
			bom_item.base_rate,
			*(bom_item[rule.field] for rule in LINE_RULES),
		)
		.where(_default(bom) & bom.item.isin(list(products)) if products else _default(bom))
		.orderby(bom.name)
		.orderby(bom_item.idx)
		.run(as_dict=True)
	)
	result: dict[str, tuple[dict, list]] = {}
	for row in rows:
		if row.product not in result:
			result[row.product] = (
				{"name": row.bom, "quantity": row.bom_quantity, "company": row.bom_company, "scrap": []},
				[],
			)
		if row.item_code:
			result[row.product][1].append(row)
	by_bom = {header["name"]: header for header, _lines in result.values()}
	for row in _scrap_rows(list(by_bom)):
		by_bom[row.parent]["scrap"].append(row)
	return result


def _default(bom):
	return (bom.is_default == 1) & (bom.is_active == 1) & (bom.docstatus == 1)


def _parents(codes: set[str]) -> set[str]:
	"""Products whose default BOM has a line naming one of ``codes``."""
	if not codes:
		return set()
	bom = frappe.qb.DocType("BOM")
	bom_item = frappe.qb.DocType("BOM Item")
	rows = (
		frappe.qb.from_(bom)
		.join(bom_item)
		.on(
			(bom_item.parent == bom.name) & (bom_item.parenttype == "BOM") & (bom_item.parentfield == "items")
		)
		.select(bom.item)
		.distinct()
		.where(_default(bom) & bom_item.item_code.isin(list(codes)))
		.run()
	)
	return {row[0] for row in rows}


def _line_rates(codes: set[str]) -> dict[str, float]:
	"""item -> the rate of the first default BOM line naming it with a rate (by BOM name, then line), as the
	full load takes it."""
	if not codes:
		return {}
	rows = frappe.db.sql(
		"""
		select bom_item.item_code, bom_item.base_rate, bom_item.conversion_factor
		from `tabBOM Item` bom_item join `tabBOM` bom on bom.name = bom_item.parent
		where bom_item.parenttype = 'BOM' and bom_item.parentfield = 'items'
			and bom.is_default = 1 and bom.is_active = 1 and bom.docstatus = 1
			and bom_item.item_code in %(codes)s and bom_item.base_rate
		order by bom.name, bom_item.idx
		""",
		{"codes": tuple(codes)},
		as_dict=True,
	)
	rates: dict[str, float] = {}
	for row in rows:
		rates.setdefault(row.item_code, row.base_rate / (row.conversion_factor or 1))
	return rates


def _items_using(what: str, names: set[str]) -> set[str]:
	"""Items whose stock UOM (``what`` "stock_uom") or one of whose variant attributes ("attribute") is named."""
	if what == "stock_uom":
		rows = frappe.db.sql(
			"select name from `tabItem` where stock_uom in %(names)s", {"names": tuple(names)}
		)
	else:
		rows = frappe.db.sql(
			"""select distinct parent from `tabItem Variant Attribute`
			where parenttype = 'Item' and attribute in %(names)s""",
			{"names": tuple(names)},
		)
	return {row[0] for row in rows}


def _scrap_rows(boms: list[str]):
	"""BOM Scrap Item rows of these BOMs (scrap outputs, in stock UOM)."""
	if not boms:
		return []
	scrap = frappe.qb.DocType("BOM Scrap Item")
	return (
		frappe.qb.from_(scrap)
		.select(scrap.parent, scrap.item_code, scrap.stock_qty)
		.where((scrap.parenttype == "BOM") & (scrap.parent.isin(boms)))
		.orderby(scrap.parent)
		.orderby(scrap.idx)
		.run(as_dict=True)
	)


# The queries below take long IN lists: plain parameterised SQL, which PyMySQL escapes in one pass.


def _items(codes: set[str]):
	if not codes:
		return []
	return frappe.db.sql(
		"""
		select item.name, item.is_stock_item, item.variant_of, item.has_variants,
			item.valuation_rate, item.last_purchase_rate,
			coalesce(uom.must_be_whole_number, 0) as must_be_whole_number
		from `tabItem` item
		left join `tabUOM` uom on uom.name = item.stock_uom
		where item.name in %(codes)s or item.variant_of in %(codes)s
		""",
		{"codes": tuple(codes)},
		as_dict=True,
	)


def _attributes(variants: list[str]) -> dict[str, dict[str, str]]:
	if not variants:
		return {}
	rows = frappe.db.sql(
		"""
		select parent, attribute, attribute_value from `tabItem Variant Attribute`
		where parenttype = 'Item' and parent in %(variants)s
		""",
		{"variants": tuple(variants)},
		as_dict=True,
	)
	result: dict[str, dict[str, str]] = defaultdict(dict)
	for row in rows:
		if row.attribute_value is not None and row.attribute_value != "":
			result[row.parent][row.attribute] = str(row.attribute_value)
	return result


def _substitutes(codes: set[str]) -> dict[str, tuple[str, ...]]:
	if not codes:
		return {}
	rows = frappe.db.sql(
		"""
		select item_code, alternative_item_code, two_way from `tabItem Alternative`
		where item_code in %(codes)s or alternative_item_code in %(codes)s
		order by creation, name
		""",
		{"codes": tuple(codes)},
		as_dict=True,
	)
	result: dict[str, list[str]] = defaultdict(list)
	for row in rows:
		result[row.item_code].append(row.alternative_item_code)
		if row.two_way:
			result[row.alternative_item_code].append(row.item_code)
	return {code: tuple(dict.fromkeys(options)) for code, options in result.items()}


def _stock(codes: set[str], warehouse: str | None, company: str | None):
	"""(item -> (on hand, reserved), item -> valuation rate) summed over the chosen warehouses."""
	levels = stock.totals(codes, warehouse, company)
	on_hand = {code: (level.on_hand, level.reserved) for code, level in levels.items()}
	rates = {
		code: level.value / level.actual
		for code, level in levels.items()
		if level.actual > 0 and level.value > 0
	}
	return on_hand, rates
