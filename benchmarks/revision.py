"""What BOM revisions add to everyday BOM work, on a real site.

A product with a 3-level BOM (the product's own 8 materials and 4 sub-assemblies of 8 materials each: 40
materials, 45 items) gets a BOM Revision. Measured, alternately, over several rounds:

1. saving the proposed (draft) BOM after a quantity change, which refreshes the revision (line diff, cost and
   capacity before and after, open Work Orders), against the same save with the refresh switched off;
2. opening the released BOM's form (``getdoc``, which runs ``onload``), which compares the BOM's effective
   lines with what its revision approved, against the same load with the check switched off.

Baseline named in the output: each operation without the revision work, same run. Everything runs in one
transaction that is rolled back at the end.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/revision.py [--site truecraft.test]
"""

import platform
import statistics
import sys
import time
from unittest.mock import patch

from on_site import arguments, rolled_back

ROUNDS = 9


def setup():
	import frappe

	from truecraft_bom.tests import factories as f
	from truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision import make_revision

	f.set_settings(require_approved_revision=0)
	raw = [f.make_item(f"BR-RM-{n:02d}", stock_uom="Kg", rate=1 + n % 5) for n in range(40)]
	for code in raw:
		f.receive(code, 10000, rate=2)
	subs = []
	for s in range(4):
		sub = f.make_item(f"BR-SUB-{s}")
		f.make_bom(sub, [{"item_code": raw[8 + s * 8 + k], "qty": 1 + k % 3} for k in range(8)])
		subs.append(sub)
	product = f.make_item("BR-PRODUCT")
	lines = [{"item_code": code, "qty": 0.5 + k} for k, code in enumerate(raw[:8])]
	lines += [{"item_code": sub, "qty": 1} for sub in subs]
	current = f.make_bom(product, lines).name
	revision = frappe.get_doc("BOM Revision", make_revision(current, "benchmark"))
	return revision


def timed(operation) -> float:
	start = time.perf_counter()
	operation()
	return (time.perf_counter() - start) * 1000


def main() -> int:
	args = arguments(__doc__)
	with rolled_back(args):
		import frappe
		from frappe.desk.form.load import getdoc

		from truecraft_bom.events import bom as bom_events
		from truecraft_bom.revisions import checksum

		revision = setup()
		proposed = frappe.get_doc("BOM", revision.proposed_bom)

		def save_proposed(qty=[1.0]):  # noqa: B006 - a counter kept between calls
			qty[0] += 0.25
			doc = frappe.get_doc("BOM", proposed.name)
			doc.items[0].qty = qty[0]
			doc.save()

		with_refresh, without_refresh = [], []
		for _ in range(ROUNDS):
			with_refresh.append(timed(save_proposed))
			with patch.object(bom_events, "refresh_revisions_of", lambda doc: None):
				without_refresh.append(timed(save_proposed))
		changes = len(frappe.get_doc("BOM Revision", revision.name).changes)

		# release it without the workflow (a benchmark, not a test): the proposed BOM goes live, the revision
		# records what was approved
		released = frappe.get_doc("BOM", proposed.name)
		released.submit()
		frappe.db.set_value(
			"BOM Revision",
			revision.name,
			{
				"docstatus": 1,
				"released_on": frappe.utils.now_datetime(),
				"effective_checksum": checksum.effective(released.item),
			},
		)

		def load():
			getdoc("BOM", released.name)
			assert frappe.response.docs[-1].get("__onload").get("tc_revision_drift") is None

		load()  # warm the structure cache
		with_check, without_check = [], []
		for _ in range(ROUNDS):
			with_check.append(timed(load))
			with patch.object(checksum, "drift", lambda doc: None):
				without_check.append(timed(load))

	def line(label, ours, base):
		a, b = statistics.median(ours), statistics.median(base)
		print(f"{label:<48} {a:8.1f} ms  baseline {b:8.1f} ms  ratio {a / b:.2f}x  (+{a - b:.1f} ms)")

	print(
		f"{platform.node()} {platform.machine()} Python {sys.version.split()[0]}; medians of {ROUNDS} rounds"
	)
	line(f"save the proposed BOM + refresh ({changes} change)", with_refresh, without_refresh)
	line("open the released BOM's form + drift check", with_check, without_check)
	return 0


if __name__ == "__main__":
	sys.exit(main())
