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
- the same rebuild as RQ jobs: ``refresh.rebuild()`` queues one job per chunk on the long queue, run by 1
  and then 2 worker processes at once, wall time;
- the refresh after one Material Receipt of a material used by about 50 products: the job's own time
  (refresh.run_pending, as a worker runs it) with the BOM structure cached and right after a BOM change,
  and as a real RQ job in a fresh process (connect, load the structure from Redis, run, commit);
  target <= 100 ms;
  baseline: submitting the receipt itself, this run.

The RQ jobs are performed by processes of this script that take exactly this run's jobs: the bench's
queues are shared by every site, and ``bench worker --burst`` would also run other sites' jobs.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/capacity.py --site truecraft.test
"""

from __future__ import annotations

import argparse
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


def my_jobs(site: str, queue: str, prefix: str) -> list[str]:
	"""Ids of this site's jobs on ``queue`` whose id starts with ``prefix``, oldest first."""
	from frappe.utils.background_jobs import get_queue

	return [job_id for job_id in get_queue(queue).job_ids if job_id.startswith(f"{site}::{prefix}")]


def forget_jobs(site: str):
	"""Drop this app's RQ jobs of the site, queued or done: Frappe's deduplication would skip a job whose
	earlier namesake this script performed (a real worker marks it finished)."""
	from frappe.utils.background_jobs import get_queue, get_redis_conn
	from rq.job import Job

	connection = get_redis_conn()
	for key in connection.scan_iter(f"rq:job:{site}::truecraft_bom:*"):
		job_id = key.decode().removeprefix("rq:job:")
		for name in ("short", "long"):
			get_queue(name).remove(job_id)
		Job(job_id, connection=connection).delete()


def run_jobs(site: str, sites_path: str, groups: list[list[str]]) -> tuple[float, list[float]]:
	"""Run the given RQ jobs as workers would, one process per group at once; (wall time, each job's time).

	The bench's queues are shared by every site of the bench: a burst worker would also run other sites'
	jobs. Each process here is a fresh Python with Frappe imported, like a forked work horse, and performs
	exactly the jobs it is given.
	"""
	env = {**os.environ, "PYTHONPATH": f"{REPO}:{os.environ.get('PYTHONPATH', '')}".rstrip(":")}
	started = time.perf_counter()
	workers = [
		subprocess.Popen(
			[
				sys.executable,
				__file__,
				"--site",
				site,
				"--sites-path",
				sites_path,
				"--perform",
				",".join(group),
			],
			env=env,
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
		)
		for group in groups
		if group
	]
	times = []
	for worker in workers:
		out, err = worker.communicate()
		if worker.returncode:
			raise RuntimeError(f"worker failed: {err.decode()[-3000:]}")
		times += [float(line) for line in out.decode().split()]
	return time.perf_counter() - started, times


def perform(site: str, sites_path: str, job_ids: list[str]):
	"""The worker side of ``run_jobs``: perform each job, print the seconds it took."""
	from frappe.utils.background_jobs import get_queue, get_redis_conn
	from rq.job import Job

	import truecraft_bom.refresh  # noqa: F401  (a worker has the app imported before it forks)

	frappe.init(site=site, sites_path=sites_path)
	connection = get_redis_conn()
	queues = {name: get_queue(name) for name in ("short", "default", "long")}
	frappe.destroy()
	for job_id in job_ids:
		job = Job.fetch(job_id, connection=connection)
		queues[job.origin.split(":")[-1]].remove(job)
		begun = time.perf_counter()
		job.perform()
		print(time.perf_counter() - begun, flush=True)
		job.delete()  # as a worker would mark it done: Frappe's deduplication looks at it


def receipt(material: str, warehouse: str, company: str):
	from erpnext.stock.doctype.stock_entry.stock_entry_utils import make_stock_entry

	return make_stock_entry(item_code=material, qty=10, to_warehouse=warehouse, rate=1, company=company)


def main() -> int:
	args = arguments(__doc__, lambda parser: parser.add_argument("--perform", help=argparse.SUPPRESS))
	if args.perform:
		perform(args.site, args.sites_path, args.perform.split(","))
		return 0
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
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
			f"max {fmt(timings[-1])}); last: {counts.written} written, {counts.unchanged} unchanged "
			f"(stock reads {fmt(counts.load)}, engine {fmt(counts.compute)}, writes {fmt(counts.write)}); "
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

		forget_jobs(args.site)  # the jobs the commits above queued: nothing left for them to do
		in_job = []
		for _ in range(3):
			receipt(material, warehouse, company)
			frappe.db.commit()  # queues the refresh job
			jobs = my_jobs(args.site, "short", "truecraft_bom:capacity:refresh:")
			_wall, times = run_jobs(args.site, args.sites_path, [jobs])
			in_job += times
		in_job.sort()
		print(
			f"  as an RQ job in a fresh process (structure from Redis): median {fmt(in_job[1])} "
			f"(min {fmt(in_job[0])}, max {fmt(in_job[-1])}); ratio to the target: {in_job[1] / REFRESH_TARGET:.2f}"
		)
		for workers in (1, 2):
			forget_jobs(args.site)
			frappe.db.set_value("Production Capacity", {"item_code": ("like", f"{PREFIX}%")}, "capacity", -1)
			frappe.db.commit()
			refresh.rebuild()
			wall, _times = run_jobs(
				args.site, args.sites_path, [my_jobs(args.site, "long", refresh.REBUILD_JOB)]
			)
			chunks = my_jobs(args.site, "long", f"{refresh.REBUILD_JOB}:")
			more, times = run_jobs(args.site, args.sites_path, [chunks[n::workers] for n in range(workers)])
			stale = frappe.db.count(
				"Production Capacity", {"item_code": ("like", f"{PREFIX}%"), "capacity": -1}
			)
			print(
				f"full rebuild as RQ jobs on the long queue, {workers} process(es): {fmt(wall + more)} wall for "
				f"{len(chunks)} chunks of {capacity.CHUNK} products (each {fmt(min(times))} to {fmt(max(times))}, "
				f"every record rewritten); {stale} records left stale"
			)
	finally:
		delete_catalog()
		catalog.invalidate()
		frappe.db.commit()
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
