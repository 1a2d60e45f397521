"""Engine benchmark: capacity of every product of a generated catalog, and one 500-node explosion.

The catalog: 2,000 products on 6 levels with 10 lines each (20,000 lines), 1,000 raw materials, shared
sub-assemblies, substitutes on one line in ten, setup quantities, attrition and whole-number rounding.

Baselines named in the output, measured in the same run (the machine may be loaded: compare ratios):
- the engine as it was before issue #12 (``BASELINE``, read from git into a separate package), on the same
  catalog, alternately with this one; every product's capacity and limiting materials must be equal, and
  equal to the stored digest of the answers for the default seed (checked even without git);
- the target of issue #12: all 2,000 capacities in <= 0.75 s cold on the 2-core reference machine, where the
  baseline took 1.76-2.10 s: a ratio to the baseline of at most 0.40;
- the same engine with its fast paths switched off (every step in Fractions).

    python benchmarks/engine.py [--seed N] [--rounds N] [--baseline REVISION]
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import hashlib
import importlib
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from truecraft_bom import engine  # noqa: E402
from truecraft_bom.engine import Catalog, capacities, explode, plans  # noqa: E402

# main before issue #12 (compile once, share everywhere)
BASELINE = "1cf61d4"
TARGET_SECONDS = 0.75
TARGET_RATIO = 0.40
PRODUCTS, LEVELS, LINES_PER_BOM, RAW = 2000, 6, 10, 1000
# sha256 of the answers (capacity and limiting materials of every product) for seed 7, by the baseline engine
REFERENCE = {7: "6b7d37cacf7492c657e7e196117483e36e995d5f85504da198d4b3131f93f50a"}


def generate(seed: int = 7, engine=engine, products: int = PRODUCTS) -> Catalog:
	"""The catalog, made of ``engine``'s classes (this engine's or the baseline's)."""
	Item, Line, Bom = engine.Item, engine.Line, engine.Bom
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
	per_level = products // LEVELS
	levels: list[list[str]] = []
	boms = []
	made = 0
	for level in range(LEVELS):
		count = per_level if level < LEVELS - 1 else products - made
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
	return engine.Catalog(items, boms)


def with_big_product(catalog: Catalog, nodes: int = 500, engine=engine) -> tuple[Catalog, str, int]:
	"""Add BIG, built from top-level products until its explosion reaches ``nodes`` products."""
	tops = sorted(code for code in catalog.boms if code.startswith(f"L{LEVELS}-"))
	lines = []
	compiled = engine.plans(catalog)
	reached: set[str] = set()
	for code in tops:
		lines.append(engine.Line(code, qty=1))
		reached.update(compiled.get([code], keep=False).nodes)
		if len(reached) + 1 >= nodes:
			break
	big = engine.Catalog(
		[*catalog.items.values(), engine.Item("BIG", whole_number=True)],
		[*catalog.boms.values(), engine.Bom("BIG", tuple(lines))],
	)
	return big, "BIG", len(engine.plans(big).get(["BIG"]).nodes)


def baseline_engine(revision: str):
	"""The engine at ``revision`` as the package ``baseline_engine`` (from git), or None without git."""
	try:
		listing = subprocess.run(
			["git", "-C", str(ROOT), "ls-tree", "--name-only", revision, "truecraft_bom/engine/"],
			capture_output=True,
			text=True,
			check=True,
		).stdout.split()
		temporary = tempfile.mkdtemp(prefix="truecraft-baseline-")
		atexit.register(shutil.rmtree, temporary, ignore_errors=True)
		folder = Path(temporary) / "baseline_engine"
		folder.mkdir()
		for path in listing:
			if path.endswith(".py"):
				source = subprocess.run(
					["git", "-C", str(ROOT), "show", f"{revision}:{path}"],
					capture_output=True,
					text=True,
					check=True,
				).stdout
				(folder / Path(path).name).write_text(source)
	except (OSError, subprocess.CalledProcessError):
		return None
	sys.path.insert(0, str(folder.parent))
	return importlib.import_module("baseline_engine")


def answers(results) -> dict[str, tuple]:
	return {code: (c.capacity, tuple(c.limiting)) for code, c in results.items()}


def digest(found: dict[str, tuple]) -> str:
	return hashlib.sha256(json.dumps(sorted(found.items())).encode()).hexdigest()


def span(values, unit=1000, places=0, suffix=" ms") -> str:
	low, high = min(values) * unit, max(values) * unit
	return f"{low:.{places}f}{suffix}" if low == high else f"{low:.{places}f}-{high:.{places}f}{suffix}"


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--rounds", type=int, default=5, help="cold runs of each engine, alternately")
	parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline engine")
	args = parser.parse_args()

	catalog = generate(args.seed)
	lines = sum(len(bom.lines) for bom in catalog.boms.values())
	print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
	print(f"catalog: {len(catalog.boms)} products, {lines} BOM lines, {LEVELS} levels, {RAW} raw materials")
	old = baseline_engine(args.baseline)
	old_catalog = generate(args.seed, old) if old is not None else None
	if old is None:
		print(
			f"baseline engine {args.baseline}: not available (no git): compared with the stored digest only"
		)

	def cold():
		"""A new catalog object: nothing resolved or compiled yet."""
		return Catalog(catalog.items, catalog.boms)

	new_times, old_times, ratios = [], [], []
	results = None
	for _ in range(args.rounds):
		start = time.perf_counter()
		results, failures = capacities(cold())
		new_times.append(time.perf_counter() - start)
		assert not failures, failures
		if old is not None:
			start = time.perf_counter()
			old_results, _failures = old.capacities(old.Catalog(old_catalog.items, old_catalog.boms))
			old_times.append(time.perf_counter() - start)
			ratios.append(new_times[-1] / old_times[-1])
	found = answers(results)
	if old is not None:
		expected = answers(old_results)
		different = sorted(code for code in expected if expected[code] != found.get(code))
		assert not different and expected.keys() == found.keys(), (
			f"answers differ from the baseline: {different[:10]}"
		)
	if args.seed in REFERENCE:
		assert digest(found) == REFERENCE[args.seed], "answers differ from the stored reference"
	bounded = [c.capacity for c in results.values() if c.capacity is not None]
	best = min(new_times)
	print(
		f"capacity of all {len(results)} products, cold, {args.rounds} runs: {span(new_times, 1, 3, ' s')} "
		f"(best {best / len(results) * 1000:.3f} ms each; median capacity {sorted(bounded)[len(bounded) // 2]})"
	)
	checked = "the baseline engine and the stored digest" if old is not None else "the stored digest"
	if args.seed not in REFERENCE:
		checked = (
			"the baseline engine" if old is not None else "nothing (no baseline, no digest for this seed)"
		)
	print(f"  same capacity and limiting materials for every product as {checked}")
	if old is not None:
		ratio = min(new_times) / min(old_times)
		print(
			f"  baseline engine {args.baseline}, same runs: {span(old_times, 1, 3, ' s')}; ratio of the best runs "
			f"{ratio:.2f} (per round {span(ratios, 1, 2, '')}; {1 / ratio:.1f}x faster); target <= {TARGET_RATIO:.2f}"
		)
	print(
		f"  best run against the {TARGET_SECONDS} s target (reference machine, idle): {best / TARGET_SECONDS:.2f}"
	)

	def fractions_only():
		"""The same catalog with every product compiled as if a figure had no exact Decimal form (so no fast
		path applies)."""
		plain = cold()
		compiled = plans(plain)
		node = compiled._node

		def without_decimals(code, include_optional):
			return dataclasses.replace(node(code, include_optional), decimal=False)

		compiled._node = without_decimals
		return plain

	start = time.perf_counter()
	slow_results, _failures = capacities(fractions_only())
	slow = time.perf_counter() - start
	assert answers(slow_results) == found
	print(f"  same answers with Fractions only: {slow:.3f} s (fast paths are {slow / best:.1f}x faster)")

	warm_catalog = cold()
	capacities(warm_catalog)
	warm = []
	for _ in range(3):
		start = time.perf_counter()
		capacities(warm_catalog.with_stock({}))
		warm.append(time.perf_counter() - start)
	print(f"  again with the BOM resolution cached (new stock, same structure): {span(warm, 1, 3, ' s')}")

	big, code, nodes = with_big_product(catalog)
	cold_explode, warm_explode = [], []
	for _ in range(5):
		start = time.perf_counter()
		explosion = explode(Catalog(big.items, big.boms), code, 10)
		cold_explode.append(time.perf_counter() - start)
		start = time.perf_counter()
		explode(big, code, 10)
		warm_explode.append(time.perf_counter() - start)
	line = (
		f"explode {code} ({nodes} products in the tree) x10: {span(cold_explode, places=1)} cold, "
		f"{span(warm_explode, places=1)} with the plan cached; {len(explosion.requirements)} leaf requirements"
	)
	if old is not None:
		old_big, _code, _nodes = with_big_product(old_catalog, engine=old)
		old_cold = []
		for _ in range(5):
			start = time.perf_counter()
			old_explosion = old.explode(old.Catalog(old_big.items, old_big.boms), code, 10)
			old_cold.append(time.perf_counter() - start)
		same = [(r.item, r.qty, r.consumable, r.non_stock) for r in explosion.requirements] == [
			(r.item, r.qty, r.consumable, r.non_stock) for r in old_explosion.requirements
		]
		assert same, "explosion differs from the baseline"
		line += f" (baseline cold {span(old_cold, places=1)}, same requirements)"
	print(line)

	tracemalloc.start()
	capacities(cold())
	_current, peak = tracemalloc.get_traced_memory()
	tracemalloc.stop()
	memory = f"peak memory while computing all capacities: {peak / 1024 / 1024:.1f} MiB (tracemalloc)"
	if old is not None:
		tracemalloc.start()
		old.capacities(old.Catalog(old_catalog.items, old_catalog.boms))
		_current, old_peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		memory += f"; baseline {old_peak / 1024 / 1024:.1f} MiB"
	print(memory)
	return 0


if __name__ == "__main__":
	sys.exit(main())
