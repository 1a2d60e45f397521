"""The cost of depleting materials on sale, on a real site.

Submits, alternately, a Sales Invoice (update_stock) with 10 made-to-order lines - 10 different products,
each with a 3-level BOM (product -> 2 sub-assemblies -> 3 materials each, plus one material of its own) - and
the same invoice for 10 stocked products without depletion. Everything runs in one transaction that is rolled
back at the end.

Baseline named in the output: the invoice of stocked items (ERPNext's own cost of a sale). Target (issue #4):
at most 2x. A made-to-order sale posts one Manufacture entry per product (ERPNext allows one finished item per
Manufacture entry), so most of the extra time is ERPNext posting those entries; the script also reports the
time spent in truecraft_bom's own code (catalog, locks, engine) apart from ERPNext's posting.

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/benchmarks/sale_hook.py [--site truecraft.test]
"""

import platform
import statistics
import sys
import time

from on_site import arguments, rolled_back

ROUNDS = 7
LINES = 10


def setup():
	from truecraft_bom.tests import factories as f

	raw = [f.make_item(f"SH-RM-{n:02d}", stock_uom="Kg", rate=1 + n % 5) for n in range(12)]
	for code in raw:
		f.receive(code, 100000, rate=2)
	made, stocked = [], []
	for n in range(LINES):
		product = f.make_item(f"SH-MTO-{n:02d}", tc_deplete_on_sale=1)
		subs = []
		for side in "AB":
			sub = f.make_item(f"SH-SUB-{n:02d}-{side}")
			f.make_bom(
				sub, [{"item_code": raw[(n + k + (side == "B") * 3) % 12], "qty": 0.5 + k} for k in range(3)]
			)
			subs.append(sub)
		f.make_bom(
			product,
			[
				{"item_code": subs[0], "qty": 1},
				{"item_code": subs[1], "qty": 2},
				{"item_code": raw[n], "qty": 1},
			],
		)
		made.append(product)
		plain = f.make_item(f"SH-STOCKED-{n:02d}")
		f.receive(plain, 100000, rate=5)
		stocked.append(plain)
	f.set_settings(deplete_on_sale=1, use_finished_stock=1, source_warehouse=None)
	return made, stocked


def main() -> int:
	def products(parser):
		parser.add_argument(
			"--products",
			type=int,
			default=LINES,
			help="distinct made-to-order products among the 10 lines (default 10: one Manufacture entry each)",
		)

	args = arguments(__doc__, products)
	with rolled_back(args):
		from truecraft_bom import depletion
		from truecraft_bom.tests import factories as f

		made, stocked = setup()
		own = []
		post = depletion._post

		def timed_post(*a, **k):
			start = time.perf_counter()
			result = post(*a, **k)
			own.append(-(time.perf_counter() - start))  # ERPNext's posting, subtracted below
			return result

		original_deplete = depletion.deplete

		def timed_deplete(*a, **k):
			start = time.perf_counter()
			result = original_deplete(*a, **k)
			own.append(time.perf_counter() - start)
			return result

		depletion._post = timed_post
		depletion.deplete = timed_deplete

		def submit(products):
			invoice = f.make_sales_invoice([(code, 1, 50) for code in products], submit=False)
			start = time.perf_counter()
			invoice.submit()
			return time.perf_counter() - start

		made = [made[n % args.products] for n in range(LINES)]
		submit(made), submit(stocked)  # warm caches alike
		own.clear()
		with_depletion, without = [], []
		for _ in range(ROUNDS):
			with_depletion.append(submit(made))
			without.append(submit(stocked))
		ours = sum(own) / ROUNDS
		a, b = statistics.median(with_depletion), statistics.median(without)
		print(f"machine: {platform.machine()} python {platform.python_version()}, site {args.site}")
		print(
			f"submit, {LINES} made-to-order lines of {args.products} products (3-level BOMs): "
			f"{a * 1000:.0f} ms (median of {ROUNDS})"
		)
		print(f"submit, {LINES} stocked lines, no depletion:      {b * 1000:.0f} ms")
		print(f"ratio: {a / b:.2f}x (target <= 2x)")
		print(
			f"of which truecraft_bom's own work (catalog, row locks, engine): {ours * 1000:.1f} ms per invoice; "
			f"the rest is ERPNext posting {args.products} Manufacture entries"
		)
	return 0


if __name__ == "__main__":
	sys.exit(main())
