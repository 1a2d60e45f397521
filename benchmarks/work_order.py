"""Submitting a Work Order on a real site: required items from the engine and hard reservations, against the
same order on plain ERPNext (the app's hooks off).

Generates the 6-level, 500-node BOM of ``explosion_db.py`` (sub-assemblies shared between parents, 60 raw
materials), puts its materials in stock, then inserts and submits, alternately, a multi-level Work Order for
the root with the app's Work Order and Stock Reservation hooks on, and the same order with every truecraft_bom
document hook off (ERPNext's ``get_bom_items_as_dict`` required items and its soft
``reserved_qty_for_production``). Everything runs in one transaction that is rolled back at the end.

Baseline named in the output: the plain ERPNext order. Figures: time (median) and SQL statements of insert
(required items) and submit (reservation) apart, and their ratio.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/work_order.py [--site truecraft.test]
"""

import platform
import statistics
import sys
import time
from contextlib import contextmanager

import frappe
from explosion_db import QueryCounter, build
from on_site import arguments, rolled_back

ROUNDS = 5
QTY = 2


@contextmanager
def app_hooks_off():
	"""Document events without truecraft_bom's handlers: the order as plain ERPNext runs it."""
	hooks = frappe.get_doc_hooks()
	saved = {doctype: dict(events) for doctype, events in hooks.items()}
	for events in hooks.values():
		for event, handlers in list(events.items()):
			events[event] = [h for h in handlers if not h.startswith("truecraft_bom.")]
	try:
		yield
	finally:
		hooks.clear()
		hooks.update(saved)


def main() -> int:
	args = arguments(__doc__)
	with rolled_back(args):
		from truecraft_bom.tests import factories as f

		company = f.company()
		start = time.perf_counter()
		root = build(company)
		bom = frappe.db.get_value("BOM", {"item": root, "is_default": 1})
		for code in frappe.get_all("Item", filters={"name": ("like", "BX-RM-%")}, pluck="name"):
			f.receive(code, 1_000_000, rate=2)
		print(f"machine: {platform.machine()} python {platform.python_version()}, site {args.site}")
		print(
			f"built a 6-level BOM of 500 nodes and stocked its materials in {time.perf_counter() - start:.1f} s"
		)

		def order():
			return frappe.get_doc(
				{
					"doctype": "Work Order",
					"production_item": root,
					"bom_no": bom,
					"qty": QTY,
					"use_multi_level_bom": 1,
					"company": company,
					"source_warehouse": f.warehouse(),
					"wip_warehouse": f.warehouse("TrueCraft WIP"),
					"fg_warehouse": f.warehouse(),
				}
			)

		def run():
			doc = order()
			with QueryCounter() as inserted:
				t0 = time.perf_counter()
				doc.insert()
				t1 = time.perf_counter()
			with QueryCounter() as submitted:
				doc.submit()
				t2 = time.perf_counter()
			return (t1 - t0, inserted.count), (t2 - t1, submitted.count), doc

		def plain():
			with app_hooks_off():
				return run()

		_, _, ours_doc = run()
		_, _, plain_doc = plain()  # warm caches alike
		ours, theirs = [], []
		for _ in range(ROUNDS):
			ours.append(run())
			theirs.append(plain())
		rows = {r.item_code: r.required_qty for r in ours_doc.required_items}
		reserved = frappe.db.count(
			"Stock Reservation Entry",
			{"voucher_type": "Work Order", "voucher_no": ours_doc.name, "docstatus": 1},
		)
		print(
			f"order for {QTY} of {root}: {len(rows)} required items (ERPNext's own: "
			f"{len(plain_doc.required_items)}), {reserved} Stock Reservation Entries"
		)

		def median(results, part):
			return statistics.median(r[part][0] for r in results), results[-1][part][1]

		total_ours = statistics.median(r[0][0] + r[1][0] for r in ours)
		total_theirs = statistics.median(r[0][0] + r[1][0] for r in theirs)
		for part, name in ((0, "insert (required items)"), (1, "submit (reservation)")):
			(a, qa), (b, qb) = median(ours, part), median(theirs, part)
			print(
				f"{name}: truecraft_bom {a * 1000:.0f} ms, {qa} queries; plain ERPNext {b * 1000:.0f} ms, "
				f"{qb} queries (median of {ROUNDS})"
			)
		print(
			f"insert + submit: truecraft_bom {total_ours * 1000:.0f} ms, plain ERPNext "
			f"{total_theirs * 1000:.0f} ms: ratio {total_ours / total_theirs:.2f}x"
		)
	return 0


if __name__ == "__main__":
	sys.exit(main())
