"""The engine's modules depend one way, never on Frappe, and never on another module's private names."""

import ast
from pathlib import Path

import pytest
from helpers import ROOT

ENGINE = ROOT / "truecraft_bom" / "engine"
# Each module may import only modules of earlier layers.
LAYERS = [
	["errors"],
	["quantity"],
	["rules"],
	["model"],
	["resolve", "scenario"],
	["plan"],
	["allocation", "explosion", "validate", "where_used"],
	["capacity", "cost"],
	["depletion"],
	["order"],
]
LAYER = {name: position for position, names in enumerate(LAYERS) for name in names}
PURE = [
	*sorted(ENGINE.glob("*.py")),
	ROOT / "truecraft_bom" / "messages.py",
	ROOT / "truecraft_bom" / "cli.py",
]


def imports(path: Path):
	"""(module, names) of every import in the file, at any depth (a function's import counts too)."""
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			for alias in node.names:
				yield alias.name, ()
		elif isinstance(node, ast.ImportFrom):
			module = "." * node.level + (node.module or "")
			yield module, tuple(alias.name for alias in node.names)


def engine_module(module: str, names) -> list[str]:
	"""Engine modules an import names (``from . import errors`` names errors)."""
	if module.startswith("truecraft_bom.engine."):
		return [module.split(".")[2]]
	if module == ".":
		return list(names)
	if module.startswith(".") and not module.startswith(".."):
		return [module[1:].split(".")[0]]
	return []


def test_every_module_has_a_layer():
	assert {path.stem for path in ENGINE.glob("*.py")} - {"__init__"} == set(LAYER)


@pytest.mark.parametrize("name", sorted(LAYER))
def test_imports_go_down_the_layers(name):
	for module, names in imports(ENGINE / f"{name}.py"):
		for imported in engine_module(module, names):
			assert LAYER[imported] < LAYER[name], f"{name} imports {imported}"
		assert not any(n.startswith("_") for n in names), f"{name} imports private {names} from {module}"


@pytest.mark.parametrize("path", PURE, ids=lambda path: path.name)
def test_no_frappe(path):
	for module, _names in imports(path):
		assert module.split(".")[0] not in ("frappe", "erpnext"), f"{path.name} imports {module}"
