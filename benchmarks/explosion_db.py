"""Explosion on a real site: truecraft_bom.api.explode against ERPNext's own explosion of the same BOM.

Generates a 6-level BOM of 500 nodes (sub-assemblies shared between parents, 2 raw materials per node) inside
one transaction, measures, checks both give the same materials, and rolls everything back.

Baselines named in the output (ratios are ERPNext's / ours):
- ``BOM.get_exploded_items()`` on a freshly loaded BOM document (reads each child's stored explosion);
- ``get_bom_items_as_dict(bom, company, qty, fetch_exploded=1)`` (Work Order and Stock Entry use it).
Targets (issue #3): at most 5 queries whatever the depth, at least 5x faster than ERPNext's own. Ours is
measured twice: with the site's BOM structure cached (the usual case) and right after a BOM change, when it
is read again from the database.

Then, on a shop-sized catalog written into the database (the catalog of ``engine.py``: 2,000 products,
20,000 BOM lines, 6 levels, rules on the lines), first with a quarter of it and then with all of it:
- the explosion of a level-4 product right after a change of its BOM is logged (what saving a BOM does: every
  process reads that BOM again, and only it), against ERPNext's ``get_exploded_items`` on the same BOM
  (issue #12: ours at most ERPNext's);
- the structure read again after one logged change, against a full read, for both catalog sizes (issue #12:
  independent of the catalog's size).
ERPNext's explosion ignores the line rules (setup, attrition, rounding): only its time is compared there.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/explosion_db.py [--site truecraft.test]
"""

import platform
import statistics
import sys
import time

import frappe
from on_site import arguments, rolled_back

LEVEL_SIZES = (1, 3, 9, 27, 81, 379)  # 500 nodes
RAW_MATERIALS = 60
QTY = 10


class QueryCounter:
	"""Counts every SQL statement sent through frappe.db.sql while active."""

	def __enter__(self):
		self.count = 0
		self._sql = frappe.db.sql

		def counted(*args, **kwargs):
			self.count += 1
			return self._sql(*args, **kwargs)

		frappe.db.sql = counted
		return self

	def __exit__(self, *exc):
		frappe.db.sql = self._sql


def measure(function, repeat=7):
	function()  # warm caches the same way for everyone
	times = []
	for _ in range(repeat):
		start = time.perf_counter()
		function()
		times.append(time.perf_counter() - start)
	with QueryCounter() as counter:
		result = function()
	return statistics.median(times), counter.count, result


def build(company: str) -> str:
	from truecraft_bom.tests import factories as f

	raw = [f.make_item(f"BX-RM-{n:03d}", stock_uom="Kg", rate=1 + n % 7) for n in range(RAW_MATERIALS)]
	levels = [[f"BX-L{level}-{n:03d}" for n in range(size)] for level, size in enumerate(LEVEL_SIZES)]
	for codes in levels:
		for code in codes:
			f.make_item(code)
	for level in reversed(range(len(levels))):
		below = levels[level + 1] if level + 1 < len(levels) else []
		for position, code in enumerate(levels[level]):
			children = {j for j in range(len(below)) if j % len(levels[level]) == position}
			if below:
				children.add((position * 7 + 1) % len(below))  # shared with another parent
			lines = [{"item_code": below[j], "qty": 1 + j % 2} for j in sorted(children)]
			lines += [
				{"item_code": raw[(position * 3 + k + level) % RAW_MATERIALS], "qty": 0.5 + k}
				for k in range(2)
			]
			f.make_bom(code, lines)
	return levels[0][0]


def main() -> int:
	args = arguments(__doc__)
	with rolled_back(args):
		from erpnext.manufacturing.doctype.bom.bom import get_bom_items_as_dict

		from truecraft_bom import api

		company = frappe.db.get_single_value("Global Defaults", "default_company")
		start = time.perf_counter()
		root = build(company)
		bom = frappe.db.get_value("BOM", {"item": root, "is_default": 1})
		print(f"machine: {platform.machine()} python {platform.python_version()}, site {args.site}")
		print(
			f"built a 6-level BOM of {sum(LEVEL_SIZES)} nodes in {time.perf_counter() - start:.1f} s ({bom})"
		)

		from truecraft_bom import catalog
		from truecraft_bom.catalog import invalidate

		def cold():
			catalog._record(["bom", root])  # what saving the root's BOM logs: every process reads it again
			return api.explode(root, qty=QTY)

		def everything():
			invalidate()  # a change of everything: the next call reads the whole structure again
			return api.explode(root, qty=QTY)

		cold_time, cold_queries, _ = measure(cold)
		full_time, full_queries, _ = measure(everything, repeat=3)
		ours, our_queries, exploded = measure(lambda: api.explode(root, qty=QTY))
		fresh, fresh_queries, _ = measure(lambda: frappe.get_doc("BOM", bom).get_exploded_items())
		as_dict, dict_queries, erpnext = measure(
			lambda: get_bom_items_as_dict(bom, company, qty=QTY, fetch_exploded=1)
		)

		mine = {r["item_code"]: float(r["qty"]) for r in exploded["requirements"]}
		theirs = {code: round(row.qty, 6) for code, row in erpnext.items()}
		assert mine == theirs, "the two explosions disagree"

		print(
			f"truecraft_bom.api.explode x{QTY}: {ours * 1000:.1f} ms, {our_queries} queries "
			f"(structure cached); {cold_time * 1000:.1f} ms, {cold_queries} queries right after a BOM change; "
			f"{full_time * 1000:.0f} ms, {full_queries} queries after a change of everything (full read)"
		)
		print(
			f"ERPNext BOM.get_exploded_items (fresh doc): {fresh * 1000:.1f} ms, {fresh_queries} queries "
			f"-> ours is {fresh / ours:.1f}x faster ({fresh / cold_time:.2f}x after a BOM change)"
		)
		print(
			f"ERPNext get_bom_items_as_dict(fetch_exploded=1): {as_dict * 1000:.1f} ms, {dict_queries} queries "
			f"-> ours is {as_dict / ours:.1f}x faster ({as_dict / cold_time:.1f}x after a BOM change)"
		)
		print(f"both give the same {len(mine)} materials")
		shop(company)
	return 0


def shop(company: str):
	"""The shop-sized catalog, in two sizes: explosion right after a BOM change, and the reload it costs."""
	from engine import PRODUCTS

	warehouse = frappe.db.get_value("Warehouse", {"company": company, "is_group": 0})
	for prefix, products in (("XA-", PRODUCTS // 4), ("XB-", PRODUCTS)):
		one_size(prefix, products, company, warehouse)


def one_size(prefix: str, products: int, company: str, warehouse: str):
	import capacity as writer
	from engine import generate

	from truecraft_bom import api, catalog, engine

	writer.PREFIX = prefix
	made = generate(products=products)
	boms, lines, _alternatives = writer.write_catalog(made, company, warehouse)
	catalog.invalidate()
	start = time.perf_counter()
	base = catalog.structure()
	full = time.perf_counter() - start
	site_boms = len(base.catalog.boms)
	site_lines = sum(len(bom.lines) for bom in base.catalog.boms.values())
	# the level-4 product with the largest tree among the first 30
	compiled = engine.plans(made)
	product = writer.code(
		max(
			sorted(code for code in made.boms if code.startswith("L4-"))[:30],
			key=lambda code: len(compiled.get([code]).nodes),
		)
	)
	bom = frappe.db.get_value("BOM", {"item": product, "is_default": 1})
	# ERPNext's stored explosion of the product's sub-assemblies, bottom up, as submitting them would make
	for code in reversed(engine.plans(base.catalog).get([product]).nodes):
		frappe.get_doc(
			"BOM", frappe.db.get_value("BOM", {"item": code, "is_default": 1})
		).update_exploded_items()

	def after_change():
		catalog._record(["bom", product])  # what saving the product's BOM logs
		return api.explode(product, qty=QTY)

	def reload():
		catalog._record(["bom", product])
		return catalog.structure()

	changed, changed_queries, _ = measure(after_change)
	cached, _cached_queries, _ = measure(lambda: api.explode(product, qty=QTY))
	erpnext, erpnext_queries, _ = measure(lambda: frappe.get_doc("BOM", bom).get_exploded_items())
	again, again_queries, _ = measure(reload)
	print(
		f"site with {site_boms} default BOMs, {site_lines} lines ({boms} BOMs, {lines} lines written), "
		f"{product} ({len(engine.plans(base.catalog).get([product]).nodes)} products in its tree):"
	)
	print(
		f"  explode x{QTY} right after its BOM changed: {changed * 1000:.1f} ms, {changed_queries} queries "
		f"(structure cached: {cached * 1000:.2f} ms); ERPNext get_exploded_items (fresh doc): "
		f"{erpnext * 1000:.1f} ms, {erpnext_queries} queries -> ours is {erpnext / changed:.1f}x faster"
	)
	print(
		f"  structure read again after one BOM change: {again * 1000:.1f} ms, {again_queries} queries; "
		f"read in full: {full * 1000:.0f} ms"
	)


if __name__ == "__main__":
	sys.exit(main())
