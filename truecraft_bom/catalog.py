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

import pickle
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import frappe

from truecraft_bom import engine, stock
from truecraft_bom.engine import Bom, Catalog, Item, Line, Scrap
from truecraft_bom.engine.rules import LINE_RULES

VERSION_KEY = "truecraft_bom:structure_version"
# the pickled structure (SHARED_KEY:version names its version); the suffix changes with Structure's fields
SHARED_KEY = "truecraft_bom:structure:1"
SHARED_TTL = 24 * 3600


@dataclass(frozen=True)
class Structure:
	"""The site's BOMs and the items they involve, without stock; ``substitutes`` by item code, ``companies``
	the company of each product's default BOM."""

	catalog: Catalog
	substitutes: dict[str, tuple[str, ...]]
	companies: dict[str, str] = field(default_factory=dict)
	# the structure version it was loaded at (None: not the site's, e.g. with unsaved BOMs standing in)
	version: bytes | None = field(default=None, compare=False)

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
		candidates = set(catalog.boms)
		frontier = list(candidates)
		while frontier:  # variants (of variants) of anything with a BOM may inherit its lines
			for variant in catalog.variants(frontier.pop()):
				if variant not in candidates:
					candidates.add(variant)
					frontier.append(variant)
		uses: dict[str, set[str]] = {}
		for code in sorted(candidates):
			item = catalog.items.get(code)
			if item is None or item.has_variants:
				continue
			try:
				uses[code] = engine.items_used(catalog, code) - {code}
			except engine.NoBomError:
				continue
			except engine.EngineError:
				uses[code] = set()  # a product whose BOM cannot be resolved: its record says why
		self.__dict__["_uses"] = uses  # what cached_property would store, in time for _share to see it
		_share(self)
		return uses


# site -> (version, Structure): the structure this process loaded last, reused while the version holds
_structures: dict[str, tuple[bytes | None, Structure]] = {}


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
	"""The site's BOM structure, loaded again only when its version changed."""
	site = frappe.local.site
	version = _version()
	if version is None:  # Redis was emptied (or never had it): start counting again
		_bump()
		version = _version()
	cached = _structures.get(site)
	if cached is not None and version is not None and cached[0] == version:
		return cached[1]
	loaded = _shared(version)
	if loaded is None:
		loaded = _load_structure(version)
		_share(loaded)
	_structures[site] = (version, loaded)
	return loaded


def invalidate(doc=None, method=None):
	"""doc_events handler: something the BOM structure is built from changed."""
	_bump()
	# again once the change is visible to others (or undone): a process that reloaded in between
	# read the old rows
	frappe.db.after_commit.add(_settled)
	frappe.db.after_rollback.add(_settled)
	# until then, what this transaction loads includes its own uncommitted rows: not for other processes
	frappe.local.truecraft_structure_changed = True


def _settled():
	frappe.local.truecraft_structure_changed = False
	_bump()


def _version() -> bytes | None:
	return frappe.cache.get(frappe.cache.make_key(VERSION_KEY))


def _bump():
	frappe.cache.incr(frappe.cache.make_key(VERSION_KEY))


def _load_structure(version: bytes | None = None) -> Structure:
	bom_rows = _default_boms()
	codes = set(bom_rows)
	for header, lines in bom_rows.values():
		codes.update(row.item_code for row in lines)
		codes.update(row.item_code for row in header["scrap"])
	base = _build(bom_rows, codes)
	return Structure(base.catalog, base.substitutes, base.companies, version)


def _share(base: Structure):
	"""Keep ``base`` in Redis for other processes, without the engine's memoised resolution (large, and
	rebuilt per product on demand) but with the where-used index when it has been computed."""
	if base.version is None or getattr(frappe.local, "truecraft_structure_changed", False):
		return
	clean = Structure(
		Catalog(base.catalog.items, base.catalog.boms), base.substitutes, base.companies, base.version
	)
	if "_uses" in base.__dict__:
		clean.__dict__["_uses"] = base.__dict__["_uses"]
	try:
		blob = pickle.dumps(clean, protocol=pickle.HIGHEST_PROTOCOL)
		pipe = frappe.cache.pipeline()
		pipe.set(frappe.cache.make_key(SHARED_KEY), blob, ex=SHARED_TTL)
		pipe.set(frappe.cache.make_key(f"{SHARED_KEY}:version"), base.version, ex=SHARED_TTL)
		pipe.execute()
	except Exception:
		frappe.logger("truecraft_bom").warning("could not share the BOM structure in Redis", exc_info=True)


def _shared(version: bytes | None) -> Structure | None:
	"""The structure another process shared at ``version``, if any."""
	if version is None or frappe.cache.get(frappe.cache.make_key(f"{SHARED_KEY}:version")) != version:
		return None
	try:
		found = pickle.loads(frappe.cache.get(frappe.cache.make_key(SHARED_KEY)))
	except Exception:  # replaced meanwhile, expired, or written by other code
		return None
	return found if isinstance(found, Structure) and found.version == version else None


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
	attributes = _attributes([row.name for row in item_rows if row.variant_of])
	line_rate: dict[str, float] = {}
	for _header, lines in bom_rows.values():
		for row in lines:
			if row.base_rate and row.item_code not in line_rate:
				line_rate[row.item_code] = row.base_rate / (row.conversion_factor or 1)
	catalog_items = [
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
	catalog_boms = [
		_bom(product, header, lines, substitutes, header["scrap"])
		for product, (header, lines) in bom_rows.items()
	]
	companies = {product: header["company"] for product, (header, _lines) in bom_rows.items()}
	return Structure(Catalog(catalog_items, catalog_boms), substitutes, companies)


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


def _default_boms() -> dict[str, tuple[dict, list]]:
	"""product -> (BOM header with its scrap rows, its lines in order), for every default BOM, in two queries."""
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
		.where((bom.is_default == 1) & (bom.is_active == 1) & (bom.docstatus == 1))
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
