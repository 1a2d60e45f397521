"""Terse builders for engine tests: catalogs from scenario-shaped dicts, explosions as plain dicts."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from truecraft_bom.engine import Catalog, Explosion, catalog_from_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def catalog(items: dict | None = None, boms: dict | None = None, fill: bool = True) -> Catalog:
	"""A catalog from scenario dicts; with ``fill``, items only named in BOMs (lines, substitutes, scrap) are
	added with default fields."""
	items = {code: dict(fields or {}) for code, fields in (items or {}).items()}
	boms = boms or {}
	if fill:
		named = set(boms)
		for bom in boms.values():
			lines = bom if isinstance(bom, list) else bom.get("lines", [])
			for line in lines:
				named.add(line["item"])
				named.update(line.get("substitutes", []))
			if isinstance(bom, dict):
				named.update(output["item"] for output in bom.get("scrap", []) if isinstance(output, dict))
		for code in named:
			items.setdefault(code, {})
	return catalog_from_dict({"items": items, "boms": boms})


def bom(*lines, quantity=1) -> dict:
	"""A BOM dict; each line is an item code (qty 1), an (item, qty) pair or a full line dict."""
	built = []
	for line in lines:
		if isinstance(line, str):
			built.append({"item": line, "qty": 1})
		elif isinstance(line, tuple):
			built.append({"item": line[0], "qty": line[1]})
		else:
			built.append(line)
	return {"quantity": quantity, "lines": built}


def needs(explosion: Explosion) -> dict[str, Decimal]:
	"""Requirements as {item: qty}; fails if an item appears twice (e.g. consumable and not)."""
	result = {}
	for requirement in explosion.requirements:
		assert requirement.item not in result, f"{requirement.item} listed twice"
		result[requirement.item] = requirement.qty
	return result


def with_stock(catalog: Catalog, stock: dict) -> Catalog:
	"""The same catalog with the stock of some items changed, e.g. ``{"RM-A": 5}``."""
	changed = [dataclasses.replace(catalog.items[code], stock=D(qty)) for code, qty in stock.items()]
	return catalog.replace_items(changed)


def D(value) -> Decimal:
	"""Decimal from a literal, written the way docs/design.md writes its numbers."""
	return Decimal(str(value))
