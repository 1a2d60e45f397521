"""Make the repository importable when pytest is run without installing the app."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
	sys.path.insert(0, str(ROOT))


def pytest_terminal_summary(terminalreporter):
	"""How many fuzz cases ran (tests/test_fuzz.py), when it ran."""
	fuzz = sys.modules.get("test_fuzz")
	if fuzz is not None and fuzz.CASES:
		parts = ", ".join(f"{name} {count}" for name, count in sorted(fuzz.CASES.items()))
		terminalreporter.write_line(f"fuzz: {sum(fuzz.CASES.values())} cases run ({parts})")
