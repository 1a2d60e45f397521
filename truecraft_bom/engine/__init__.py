"""The truecraft_bom engine: every quantity decision about BOMs, in pure Python (no Frappe, no ERPNext).

Build a ``Catalog`` (from a scenario with ``load_scenario``/``catalog_from_dict``, or from ERPNext data), then
ask it: ``explode``, ``capacity``/``capacities``, ``cost``, ``where_used``, ``validate``. Modules depend one
way: errors -> quantity -> rules -> model -> resolve (and scenario) -> plan -> explosion, allocation,
validate, where_used -> capacity, cost -> depletion. Errors and problems carry a code and data; their words
are in ``truecraft_bom.messages``.
"""

from . import rules
from .allocation import Pools, Short
from .capacity import Capacity, capacities, capacity
from .cost import Cost, cost
from .depletion import Build, Draw, Need, NonStockCost, SaleLine, materials_of, plan_depletion
from .errors import (
	BomError,
	EngineError,
	NoBomError,
	Problem,
	QuantityError,
	ScenarioError,
	ShortageError,
	Shortfall,
	TreeTooLargeError,
	UnknownItemError,
)
from .explosion import (
	Explosion,
	Output,
	Requirement,
	explode,
	explode_many,
	items_used,
	scrap_of,
	summarise,
	tree,
)
from .model import Bom, Catalog, Defect, Item, Line, Scrap
from .plan import Leaf, Node, Plan, Plans, Run, Step, plans
from .quantity import exact, money, positive, to_decimal
from .resolve import Resolver, Use, effective_lines, resolver
from .rules import LINE_RULES, RULES, LineRule
from .scenario import catalog_from_dict, load_scenario, parse_overage
from .validate import validate
from .where_used import where_used

__all__ = [
	"LINE_RULES",
	"RULES",
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
	"LineRule",
	"Need",
	"NoBomError",
	"Node",
	"NonStockCost",
	"Output",
	"Plan",
	"Plans",
	"Pools",
	"Problem",
	"QuantityError",
	"Requirement",
	"Resolver",
	"Run",
	"SaleLine",
	"ScenarioError",
	"Scrap",
	"Short",
	"ShortageError",
	"Shortfall",
	"Step",
	"TreeTooLargeError",
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
	"plans",
	"positive",
	"resolver",
	"rules",
	"scrap_of",
	"summarise",
	"to_decimal",
	"tree",
	"validate",
	"where_used",
]
