"""Where-used: every product whose build needs an item, at any depth."""

from __future__ import annotations

from .errors import EngineError, UnknownItemError
from .model import Catalog
from .resolve import resolver


def where_used(catalog: Catalog, item: str) -> tuple[str, ...]:
	"""Products that use ``item`` as a line item or a substitute, directly or through sub-assemblies.

	Optional and consumable lines count (the product's BOM names the item). A BOM that cannot be resolved
	is left out here; ``validate`` reports it.
	"""
	if item not in catalog.items:
		raise UnknownItemError(item)
	resolved = resolver(catalog)
	direct: dict[str, set[str]] = {}  # item -> products whose lines name it
	builds: dict[str, set[str]] = {}  # sub-assembly -> products that explode it
	for product in catalog.items:
		try:
			if not resolved.has_bom(product):
				continue
			uses = resolved.uses(product)
		except EngineError:
			continue
		for use in uses:
			for code in (use.item, *use.substitutes):
				direct.setdefault(code, set()).add(product)
			if use.subassembly:
				builds.setdefault(use.item, set()).add(product)
	found: set[str] = set(direct.get(item, ()))
	frontier = list(found)
	while frontier:
		product = frontier.pop()
		for parent in builds.get(product, ()):
			if parent not in found:
				found.add(parent)
				frontier.append(parent)
	found.discard(item)
	return tuple(sorted(found))
