"""The truecraft_bom engine: every quantity decision about BOMs, in pure Python (no Frappe, no ERPNext).

Build a ``Catalog`` (from a scenario with ``load_scenario``/``catalog_from_dict``, or from ERPNext data), then
ask it: ``explode``, ``capacity``/``capacities``, ``cost``, ``where_used``, ``validate``.
"""

from .allocation import Pools, Short
from .capacity import Capacity, capacities, capacity
from .cost import Cost, cost
from .depletion import Build, Draw, NonStockCost, SaleLine, materials_of, plan_depletion
from .errors import (
	BomError,
	EngineError,
	NoBomError,
	Problem,
	QuantityError,
	ScenarioError,
	ShortageError,
	Shortfall,
	UnknownItemError,
)
from .explosion import Explosion, Leaf, Plan, Requirement, explode, explode_many, items_used, summarise, tree
from .model import Bom, Catalog, Defect, Item, Line
from .quantity import exact, money, to_decimal
from .resolve import Resolver, Use, effective_lines
from .scenario import catalog_from_dict, load_scenario, parse_overage
from .validate import validate
from .where_used import where_used

__all__ = [
	"Bom",
	"BomError",
	"Build",
	"Capacity",
	"Catalog",
	"Cost",
	"Defect",
	"Draw",
	"EngineError",
	"Explosion",
	"Item",
	"Leaf",
	"Line",
	"NoBomError",
	"NonStockCost",
	"Plan",
	"Pools",
	"Problem",
	"QuantityError",
	"Requirement",
	"Resolver",
	"SaleLine",
	"ScenarioError",
	"Short",
	"ShortageError",
	"Shortfall",
	"UnknownItemError",
	"Use",
	"capacities",
	"capacity",
	"catalog_from_dict",
	"cost",
	"effective_lines",
	"exact",
	"explode",
	"explode_many",
	"items_used",
	"load_scenario",
	"materials_of",
	"money",
	"parse_overage",
	"plan_depletion",
	"summarise",
	"to_decimal",
	"tree",
	"validate",
	"where_used",
]


def positive(value):
	"""Interim: a quantity above zero as an exact number, else QuantityError."""
	from .quantity import NotANumber

	try:
		number = exact(value)
	except NotANumber:
		raise QuantityError(f"quantity must be a number, not {value!r}") from None
	if number <= 0:
		raise QuantityError(f"quantity must be above zero, not {value}")
	return number
