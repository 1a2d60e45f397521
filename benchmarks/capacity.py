"""Production Capacity on a real site: full rebuild, and the refresh after one receipt.

Writes the generated catalog of ``engine.py`` (2,000 products on 6 levels, 20,000 BOM lines, 1,000 raw
materials) into the site's database with bulk inserts, commits it (the RQ workers must see it), measures,
and deletes everything it made at the end. ERPNext's substitutes (Item Alternative) belong to an item, not a
line: the generator's substitutes are kept for one material in ten, so that about one line in ten has them,
as in the engine benchmark (kept for every material, 78 % of all lines would have substitutes).

Figures, each against its target:
- full rebuild in one process: structure load, stock reads (load), engine (compute) and record writes
  apart; first with no records (every record inserted) and again with nothing changed (no writes);
  target: load + compute <= 5 s; baseline: the engine alone on the same catalog in memory, this run;
- the same rebuild as RQ jobs: ``refresh.rebuild()`` queues one job per chunk on the long queue, drained by
  1 and then 2 burst workers (``bench worker --burst``), wall time;
- the refresh after one Material Receipt of a material used by about 50 products: the job's own time
  (refresh.run_pending, as a worker runs it) with the BOM structure cached and right after a BOM change,
  and one real RQ job end to end (``bench worker --burst``: fork, connect, run, commit); target <= 100 ms;
  baseline: submitting the receipt itself, this run.

Burst workers take every job of the bench's queues, whatever the site: the RQ part is skipped when the
queues hold another site's jobs.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/capacity.py --site truecraft.test
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import frappe
from frappe.utils import now_datetime

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine import generate  # noqa: E402  (benchmarks/engine.py: the catalog of the engine benchmark)
from on_site import arguments  # noqa: E402

PREFIX = "CB-"
LOAD_COMPUTE_TARGET = 5.0
REFRESH_TARGET = 0.100
USERS = 50  # products that use the received material


def code(name: str) -> str:
	return PREFIX + name


def write_catalog(catalog, company: str, warehouse: str):
	"""The engine catalog as Items, default BOMs, Item Alternatives and Bins, in bulk."""
	now = now_datetime()
	base = {"creation": now, "modified": now, "owner": "Administrator", "modified_by": "Administrator"}
	group = frappe.db.get_value("Item Group", {"is_group": 0}) or "All Item Groups"
	currency = frappe.get_cached_value("Company", company, "default_currency")

	def uom(item):
		return "Hour" if not item.is_stock else ("Nos" if item.whole_number else "Kg")

	items = []
	for item in catalog.items.values():
		items.append(
			{
				**base,
				"name": code(item.code),
				"item_code": code(item.code),
				"item_name": code(item.code),
				"item_group": group,
				"stock_uom": uom(item),
				"is_stock_item": int(item.is_stock),
				"include_item_in_manufacturing": 1,
				"valuation_rate": float(item.rate),
			}
		)
	_bulk("Item", items)
	boms, lines, alternatives = [], [], set()
	for bom in catalog.boms.values():
		name = f"BOM-{code(bom.product)}-001"
		boms.append(
			{
				**base,
				"name": name,
				"item": code(bom.product),
				"item_name": code(bom.product),
				"quantity": float(bom.quantity),
				"is_active": 1,
				"is_default": 1,
				"docstatus": 1,
				"company": company,
				"currency": currency,
				"conversion_rate": 1,
				"uom": "Nos",
				"rm_cost_as_per": "Valuation Rate",
			}
		)
		for idx, line in enumerate(bom.lines, start=1):
			item = catalog.items[line.item]
			lines.append(
				{
					**base,
					"name": frappe.generate_hash(length=12),
					"parent": name,
					"parenttype": "BOM",
					"parentfield": "items",
					"idx": idx,
					"docstatus": 1,
					"item_code": code(line.item),
					"item_name": code(line.item),
					"qty": float(line.qty),
					"stock_qty": float(line.qty),
					"conversion_factor": 1,
					"uom": uom(item),
					"stock_uom": uom(item),
					"rate": float(item.rate),
					"bom_no": f"BOM-{code(line.item)}-001" if line.item in catalog.boms else None,
					"tc_setup_qty": float(line.setup_qty),
					"tc_attrition": float(line.attrition),
				}
			)
			if line.item.startswith("RM-") and int(line.item[3:]) % 10 == 0:
				alternatives.update((line.item, option) for option in line.substitutes)
	_bulk("BOM", boms)
	_bulk("BOM Item", lines)
	_bulk(
		"Item Alternative",
		[
			{
				**base,
				"name": frappe.generate_hash(length=12),
				"item_code": code(a),
				"alternative_item_code": code(b),
			}
			for a, b in sorted(alternatives)
		],
	)
	bins = [
		{
			**base,
			"name": frappe.generate_hash(length=12),
			"item_code": code(item.code),
			"warehouse": warehouse,
			"actual_qty": float(item.stock),
			"projected_qty": float(item.stock),
			"valuation_rate": float(item.rate),
			"stock_value": float(item.stock * item.rate),
			"stock_uom": uom(item),
		}
		for item in catalog.items.values()
		if item.is_stock and item.code not in catalog.boms and item.stock
	]
	_bulk("Bin", bins)
	return len(boms), len(lines), len(alternatives)


def _bulk(doctype: str, rows: list[dict]):
	if not rows:
		return
	fields = list(rows[0])
	frappe.db.bulk_insert(
		doctype, fields, [[row[field] for field in fields] for row in rows], chunk_size=5000
	)


def delete_catalog():
	"""Everything this benchmark made (and the ledger rows of its receipts)."""
	like = PREFIX.replace("_", "\\_") + "%"
	entries = frappe.get_all(
		"Stock Entry Detail", filters={"item_code": ("like", like)}, pluck="parent", distinct=True
	)
	for doctype, field in (
		("Stock Ledger Entry", "voucher_no"),
		("GL Entry", "voucher_no"),
		("Stock Entry Detail", "parent"),
		("Stock Entry", "name"),
	):
		if entries:
			frappe.db.delete(doctype, {field: ("in", entries)})
	records = frappe.get_all("Production Capacity", filters={"item_code": ("like", like)}, pluck="name")
	if records:
		frappe.db.delete("Version", {"ref_doctype": "Production Capacity", "docname": ("in", records)})
		frappe.db.delete("Production Capacity", {"name": ("in", records)})
	frappe.db.delete("BOM Item", {"parent": ("like", f"BOM-{like}")})
	frappe.db.delete("BOM", {"item": ("like", like)})
	frappe.db.delete("Item Alternative", {"item_code": ("like", like)})
	frappe.db.delete("Bin", {"item_code": ("like", like)})
	frappe.db.delete("Item", {"name": ("like", like)})
	frappe.db.commit()


def fmt(seconds: float) -> str:
	return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def rebuild_in_process(label: str, baseline: float):
	from truecraft_bom import capacity, catalog

	catalog.invalidate()
	frappe.db.commit()
	started = time.perf_counter()
	base = catalog.structure()
	products = capacity.products()
	loaded = time.perf_counter()
	counts = capacity.refresh(products)
	total = time.perf_counter() - started
	structure = loaded - started
	load_compute = structure + counts.load + counts.compute
	print(
		f"{label}: {len(products)} products, {counts.written} written, {counts.unchanged} unchanged, "
		f"{counts.deleted} deleted in {fmt(total)}"
	)
	print(
		f"  structure + where-used index {fmt(structure)} ({len(base.used_by)} items indexed), "
		f"stock reads {fmt(counts.load)}, engine {fmt(counts.compute)}: load + compute {fmt(load_compute)} "
		f"(ratio to the {LOAD_COMPUTE_TARGET:.0f} s target: {load_compute / LOAD_COMPUTE_TARGET:.2f}, "
		f"to the engine alone: {load_compute / baseline:.2f}); writes {fmt(counts.write)}"
	)
	return counts


def queues_are_ours(site: str) -> bool:
	from frappe.utils.background_jobs import get_queue

	for name in ("short", "default", "long"):
		for job_id in get_queue(name).job_ids:
			if not job_id.startswith(f"{site}::"):
				return False
	return True


def burst_workers(site: str, bench: Path, count: int, queue: str) -> float:
	"""Run ``count`` burst workers on ``queue`` with this checkout's code; wall time until all have finished."""
	env = {**os.environ, "PYTHONPATH": f"{REPO}:{os.environ.get('PYTHONPATH', '')}".rstrip(":")}
	started = time.perf_counter()
	workers = [
		subprocess.Popen(
			["bench", "--site", site, "worker", "--queue", queue, "--burst", "--quiet"],
			cwd=bench,
			env=env,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.PIPE,
		)
		for _ in range(count)
	]
	for worker in workers:
		_out, err = worker.communicate()
		if worker.returncode:
			raise RuntimeError(f"worker failed: {err.decode()[-2000:]}")
	return time.perf_counter() - started


def job_figures(job_id: str) -> tuple[float, object]:
	from frappe.utils.background_jobs import create_job_id, get_redis_conn
	from rq.job import Job

	job = Job.fetch(create_job_id(job_id), connection=get_redis_conn())
	return (job.ended_at - job.started_at).total_seconds(), job.return_value()


def receipt(material: str, warehouse: str, company: str):
	from erpnext.stock.doctype.stock_entry.stock_entry_utils import make_stock_entry

	return make_stock_entry(item_code=material, qty=10, to_warehouse=warehouse, rate=1, company=company)


def main() -> int:
	args = arguments(__doc__)
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	bench = Path(args.sites_path).resolve().parent
	from truecraft_bom import capacity, catalog, refresh

	company = frappe.db.get_single_value("Global Defaults", "default_company")
	warehouse = frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, order_by="lft")
	print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
	print(f"site {args.site}, company {company}, stock in {warehouse}")
	delete_catalog()  # a run that was interrupted
	try:
		started = time.perf_counter()
		boms, lines, alternatives = write_catalog(generate(), company, warehouse)
		frappe.db.commit()
		print(
			f"catalog: {boms} BOMs, {lines} BOM lines, 6 levels, {alternatives} Item Alternatives "
			f"written in {fmt(time.perf_counter() - started)}"
		)

		from truecraft_bom import engine

		stocked = catalog.load_catalog(capacity.products())
		begun = time.perf_counter()
		engine.capacities(engine.Catalog(stocked.items, stocked.boms), capacity.products())  # nothing cached
		baseline = time.perf_counter() - begun
		print(f"baseline: the engine alone, capacity of every product in memory: {fmt(baseline)}")
		rebuild_in_process("full rebuild, no records yet (one process)", baseline)
		rebuild_in_process("full rebuild, nothing changed (one process)", baseline)

		used_by = catalog.structure().used_by
		material = min(
			(m for m in used_by if m.startswith(f"{PREFIX}RM-")),
			key=lambda m: (abs(len(used_by[m]) - USERS), m),
		)
		users = len(used_by[material])
		print(f"refresh after one receipt of {material}, used by {users} products:")
		timings, receipts = [], []
		for _ in range(5):
			begun = time.perf_counter()
			receipt(material, warehouse, company)
			frappe.db.commit()  # hands the material to the queue (and queues an RQ job)
			receipts.append(time.perf_counter() - begun)
			begun = time.perf_counter()
			counts = refresh.run_pending()
			timings.append(time.perf_counter() - begun)
		timings.sort()
		receipts.sort()
		print(
			f"  job with the structure cached: median {fmt(timings[2])} (min {fmt(timings[0])}, "
			f"max {fmt(timings[-1])}); last: {counts.written} written, {counts.unchanged} unchanged; "
			f"ratio to the {REFRESH_TARGET * 1000:.0f} ms target: {timings[2] / REFRESH_TARGET:.2f}; "
			f"the receipt itself: median {fmt(receipts[2])} (refresh / receipt: {timings[2] / receipts[2]:.2f})"
		)
		catalog.invalidate()
		frappe.db.commit()
		receipt(material, warehouse, company)
		frappe.db.commit()
		begun = time.perf_counter()
		refresh.run_pending()
		cold = time.perf_counter() - begun
		print(f"  job right after a BOM change (structure read again): {fmt(cold)}")
		refresh.clear()

		if not queues_are_ours(args.site):
			print("RQ workers: skipped, the bench's queues hold another site's jobs")
			return 0
		for queue in ("short", "long"):
			burst_workers(args.site, bench, 1, queue)  # the jobs this run queued so far
		receipt(material, warehouse, company)
		frappe.db.commit()
		job_id = frappe.cache.get(frappe.cache.make_key(refresh.QUEUED)).decode()
		wall = burst_workers(args.site, bench, 1, "short")
		in_job, result = job_figures(job_id)
		print(
			f"  one RQ job (bench worker --burst): {fmt(in_job)} in the job (fork, connect, load the structure, "
			f"refresh {result.written} records, commit), {fmt(wall)} with the worker's start"
		)
		for workers in (1, 2):
			frappe.db.set_value("Production Capacity", {"item_code": ("like", f"{PREFIX}%")}, "capacity", -1)
			frappe.db.commit()
			refresh.rebuild()
			frappe.db.commit()
			wall = burst_workers(args.site, bench, 1, "long")  # the plan job queues the chunks
			wall += burst_workers(args.site, bench, workers, "long")
			stale = frappe.db.count(
				"Production Capacity", {"item_code": ("like", f"{PREFIX}%"), "capacity": -1}
			)
			print(
				f"full rebuild as RQ jobs on the long queue, {workers} worker(s): {fmt(wall)} wall "
				f"({len(capacity.products())} products in chunks of {capacity.CHUNK}; {stale} left stale)"
			)
	finally:
		delete_catalog()
		catalog.invalidate()
		frappe.db.commit()
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
