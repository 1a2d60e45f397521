"""Fingerprints of a product's effective BOM lines, as the engine resolves them (inherited template lines
included), and the BOM form's warning when a released BOM's lines no longer match what was approved."""

from __future__ import annotations

import hashlib
import json

import frappe

from truecraft_bom import engine
from truecraft_bom.catalog import load_catalog
from truecraft_bom.engine.rules import LINE_RULES
from truecraft_bom.errors import throw


def effective(item: str, bom=None) -> str:
	"""Checksum of ``item``'s effective lines; ``bom`` (a document) stands in for its default BOM."""
	try:
		return _checksum(_effective_lines(item, bom))
	except engine.EngineError as error:
		throw(error)


def own(item: str, bom) -> str:
	"""Checksum of the lines written in ``bom`` itself (what its author can change)."""
	try:
		pairs = _effective_lines(item, bom)
	except engine.EngineError as error:
		throw(error)
	return _checksum([(source, line) for source, line in pairs if source.product == item])


def _effective_lines(item: str, bom):
	catalog = load_catalog([item], boms={item: bom} if bom is not None else None, stock=False)
	return engine.effective_lines(catalog, item)


def _checksum(pairs) -> str:
	"""Order-independent: per line, the BOM it is written in, the item, the quantity per unit of that BOM,
	whether it explodes, and every line rule. Substitutes are left out: they come from Item Alternative, not
	from the BOM."""
	lines = sorted(
		[
			source.product,
			line.item,
			str(line.qty / source.quantity) if line.qty is not None and source.quantity else str(line.qty),
			line.explode,
			*(str(getattr(line, rule.name)) for rule in LINE_RULES),
		]
		for source, line in pairs
	)
	return hashlib.sha256(json.dumps(lines).encode()).hexdigest()


def drift(bom) -> dict | None:
	"""For the form of a default BOM released by a revision: the revision, when the BOM's effective lines
	no longer match the ones it approved (a template line it inherits changed, say)."""
	if bom.docstatus != 1 or not (bom.is_default and bom.is_active):
		return None
	released = frappe.get_all(
		"BOM Revision",
		filters={"proposed_bom": bom.name, "docstatus": 1, "released_on": ("is", "set")},
		fields=["name", "effective_checksum"],
		order_by="released_on desc",
		limit=1,
	)
	if not released or not released[0].effective_checksum:
		return None
	try:
		now = _checksum(_effective_lines(bom.item, None))
	except engine.EngineError:
		return None  # the form must open; the BOM's problems are reported where it is used
	if now == released[0].effective_checksum:
		return None
	return {"revision": released[0].name}
