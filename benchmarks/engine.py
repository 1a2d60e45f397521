"""Engine benchmark: capacity of every product of a generated catalog, and one 500-node explosion.

The catalog: 2,000 products on 6 levels with 10 lines each (20,000 lines), 1,000 raw materials, shared
sub-assemblies, substitutes on one line in ten, setup quantities, attrition and whole-number rounding.

Baselines named in the output:
- the target of issue #2: all 2,000 capacities in <= 2 s on the 2-core reference machine;
- the same engine with its exact-Decimal fast path switched off (every step in Fractions).

    python benchmarks/engine.py [--seed N]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from truecraft_bom.engine import Bom, Catalog, Item, Line, capacities, explode, plans, resolver

TARGET_SECONDS = 2.0
PRODUCTS, LEVELS, LINES_PER_BOM, RAW = 2000, 6, 10, 1000


def generate(seed: int = 7) -> Catalog:
	rng = random.Random(seed)
	items = []
	raw = [f"RM-{n:04d}" for n in range(RAW)]
	for code in raw:
		whole = rng.random() < 0.3
		items.append(
			Item(
				code,
				stock=rng.randint(200, 20000) if whole else f"{rng.randint(2000, 200000) / 10}",
				rate=f"{rng.randint(1, 500) / 100}",
				whole_number=whole,
			)
		)
	items.append(Item("LABOUR", is_stock=False, rate="25"))
	per_level = PRODUCTS // LEVELS
	levels: list[list[str]] = []
	boms = []
	made = 0
	for level in range(LEVELS):
		count = per_level if level < LEVELS - 1 else PRODUCTS - made
		codes = [f"L{level + 1}-{n:04d}" for n in range(count)]
		levels.append(codes)
		made += count
		for code in codes:
			items.append(Item(code, whole_number=True, stock=rng.randint(0, 3)))
			lines = []
			used = set()
			subassemblies = 0 if level == 0 else rng.randint(1, 3)
			for _ in range(subassemblies):
				lower = levels[level - 1] if rng.random() < 0.7 else levels[rng.randrange(level)]
				child = rng.choice(lower)
				if child in used:
					continue
				used.add(child)
				lines.append(Line(child, qty=rng.choice([1, 1, 2, 3])))
			lines.append(Line("LABOUR", qty=f"{rng.randint(1, 30) / 100}"))
			while len(lines) < LINES_PER_BOM:
				material = rng.choice(raw)
				if material in used:
					continue
				used.add(material)
				kwargs = {}
				roll = rng.random()
				if roll < 0.1:
					options = [m for m in rng.sample(raw, 2) if m != material and m not in used]
					kwargs["substitutes"] = tuple(options)
				elif roll < 0.25:
					kwargs["setup_qty"] = rng.randint(1, 5)
				elif roll < 0.45:
					kwargs["attrition"] = rng.choice([2, 5, "2.5", 10])
				lines.append(Line(material, qty=f"{rng.randint(1, 400) / 100}", **kwargs))
			boms.append(Bom(code, tuple(lines), quantity=rng.choice([1, 1, 1, 2, 4, 10])))
	return Catalog(items, boms)


def with_big_product(catalog: Catalog, nodes: int = 500) -> tuple[Catalog, str, int]:
	"""Add BIG, built from top-level products until its explosion reaches ``nodes`` products."""
	tops = sorted(code for code in catalog.boms if code.startswith(f"L{LEVELS}-"))
	lines = []
	compiled = plans(catalog)
	reached: set[str] = set()
	for code in tops:
		lines.append(Line(code, qty=1))
		reached.update(compiled.get([code], keep=False).nodes)
		if len(reached) + 1 >= nodes:
			break
	big = Catalog(
		[*catalog.items.values(), Item("BIG", whole_number=True)],
		[*catalog.boms.values(), Bom("BIG", tuple(lines))],
	)
	return big, "BIG", len(plans(big).get(["BIG"]).nodes)


def timed(function, repeat: int = 3):
	best = None
	result = None
	for _ in range(repeat):
		start = time.perf_counter()
		result = function()
		elapsed = time.perf_counter() - start
		best = elapsed if best is None else min(best, elapsed)
	return best, result


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--seed", type=int, default=7)
	args = parser.parse_args()

	catalog = generate(args.seed)
	lines = sum(len(bom.lines) for bom in catalog.boms.values())
	print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
	print(f"catalog: {len(catalog.boms)} products, {lines} BOM lines, {LEVELS} levels, {RAW} raw materials")

	def cold():
		"""A new catalog object: nothing resolved or compiled yet."""
		return Catalog(catalog.items, catalog.boms)

	seconds, (results, failures) = timed(lambda: capacities(cold()))
	assert not failures, failures
	bounded = [c.capacity for c in results.values() if c.capacity is not None]
	print(
		f"capacity of all {len(results)} products: {seconds:.3f} s "
		f"({seconds / len(results) * 1000:.3f} ms each; median capacity {sorted(bounded)[len(bounded) // 2]})"
	)
	print(f"  ratio to the {TARGET_SECONDS:.1f} s target: {seconds / TARGET_SECONDS:.2f}")

	def fractions_only():
		"""The same catalog with every item rate/stock as is, but uses denied their exact Decimal form."""
		plain = cold()
		resolved = resolver(plain)
		uses = resolved.uses

		def without_decimals(product):
			return tuple(replace(use, decimals=None) for use in uses(product))

		resolved.uses = without_decimals
		return plain

	slow, (slow_results, _failures) = timed(lambda: capacities(fractions_only()), repeat=1)
	assert {k: v.capacity for k, v in slow_results.items()} == {k: v.capacity for k, v in results.items()}
	print(f"  same answers with Fractions only: {slow:.3f} s (fast path is {slow / seconds:.1f}x faster)")

	warm_catalog = cold()
	capacities(warm_catalog)
	warm, _ = timed(lambda: capacities(warm_catalog.with_stock({})))
	print(f"  again with the BOM resolution cached (new stock, same structure): {warm:.3f} s")

	big, code, nodes = with_big_product(catalog)
	seconds, explosion = timed(lambda: explode(Catalog(big.items, big.boms), code, 10), repeat=5)
	warm, _ = timed(lambda: explode(big, code, 10), repeat=5)
	print(
		f"explode {code} ({nodes} products in the tree) x10: {seconds * 1000:.1f} ms cold, "
		f"{warm * 1000:.1f} ms with the plan cached; {len(explosion.requirements)} leaf requirements"
	)

	tracemalloc.start()
	capacities(cold())
	_current, peak = tracemalloc.get_traced_memory()
	tracemalloc.stop()
	print(f"peak memory while computing all capacities: {peak / 1024 / 1024:.1f} MiB (tracemalloc)")
	return 0


if __name__ == "__main__":
	sys.exit(main())
