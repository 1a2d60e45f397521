"""The ``truecraft-bom`` command: the engine over scenario files, JSON on stdout.

Exit codes: 0 done; 1 ``validate`` found problems; 2 a bad file or argument (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal

from . import __version__, messages
from .engine import (
	EngineError,
	UnknownItemError,
	capacity,
	cost,
	explode,
	load_scenario,
	positive,
	validate,
	where_used,
)


class UsageError(Exception):
	"""A bad command line: reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
	def error(self, message):
		raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
	parser = _Parser(
		prog="truecraft-bom", description="BOM explosion, capacity, cost and validation over a scenario file."
	)
	parser.add_argument("--version", action="version", version=f"truecraft-bom {__version__}")
	commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

	sub = commands.add_parser("explode", help="leaf requirements of one build")
	sub.add_argument("file")
	sub.add_argument("item")
	sub.add_argument("qty")
	sub.add_argument("--include-optional", action="store_true", help="include optional lines")

	sub = commands.add_parser("capacity", help="how many can be made from available stock")
	sub.add_argument("file")
	sub.add_argument("item")
	sub.add_argument(
		"--use-subassembly-stock", action="store_true", help="use sub-assemblies on hand before building more"
	)

	sub = commands.add_parser("cost", help="cost roll-up of a build")
	sub.add_argument("file")
	sub.add_argument("item")
	sub.add_argument("qty", nargs="?", default="1")

	sub = commands.add_parser("where-used", help="every product that needs an item, at any depth")
	sub.add_argument("file")
	sub.add_argument("item")

	sub = commands.add_parser("validate", help="every problem of the scenario's BOMs")
	sub.add_argument("file")
	return parser


def run(argv: list[str]) -> tuple[int, object]:
	"""Run a command; returns (exit code, JSON-able result). Raises UsageError or EngineError for exit 2."""
	args = _parser().parse_args(argv)
	catalog = load_scenario(args.file)
	if args.command == "validate":
		problems = validate(catalog)
		return (1 if problems else 0), {"problems": [problem.as_dict() for problem in problems]}
	if args.item not in catalog.items:
		raise UnknownItemError(args.item)
	if args.command == "explode":
		return 0, explode(catalog, args.item, positive(args.qty), args.include_optional).as_dict()
	if args.command == "capacity":
		return 0, capacity(catalog, args.item, args.use_subassembly_stock).as_dict()
	if args.command == "cost":
		return 0, cost(catalog, args.item, positive(args.qty)).as_dict()
	return 0, {"item": args.item, "used_in": list(where_used(catalog, args.item))}


def main(argv: list[str] | None = None) -> int:
	argv = sys.argv[1:] if argv is None else argv
	try:
		code, result = run(argv)
	except UsageError as error:
		return _fail(messages.render("usage", {"detail": str(error)}))
	except EngineError as error:
		return _fail(messages.error_message(error))
	sys.stdout.write(dumps(result) + "\n")
	return code


def _fail(message: str) -> int:
	"""One line on stderr (a message of several lines is joined with "; "), exit code 2."""
	line = "; ".join(" ".join(part.split()) for part in message.splitlines() if part.strip())
	sys.stderr.write(f"truecraft-bom: {line}\n")
	return 2


def dumps(value, indent: int = 2, level: int = 0) -> str:
	"""JSON with Decimals written as exact numbers (json.dumps would need floats)."""
	pad = " " * (indent * (level + 1))
	end = " " * (indent * level)
	if isinstance(value, dict):
		if not value:
			return "{}"
		body = ",\n".join(
			f"{pad}{json.dumps(str(k))}: {dumps(v, indent, level + 1)}" for k, v in value.items()
		)
		return "{\n" + body + "\n" + end + "}"
	if isinstance(value, list | tuple):
		if not value:
			return "[]"
		return "[\n" + ",\n".join(pad + dumps(v, indent, level + 1) for v in value) + "\n" + end + "]"
	if isinstance(value, Decimal):
		return format(value, "f")
	return json.dumps(value)


if __name__ == "__main__":
	sys.exit(main())
