"""Shared by the benchmarks that run on a Frappe site: open it, run in one transaction, roll back."""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import frappe


def arguments(description: str, extra=None) -> argparse.Namespace:
	parser = argparse.ArgumentParser(
		description=description, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", default="truecraft.test")
	parser.add_argument("--sites-path", default=os.getcwd(), help="the bench's sites folder (default: here)")
	if extra:
		extra(parser)
	return parser.parse_args()


@contextmanager
def rolled_back(args: argparse.Namespace):
	"""Connected to the site as Administrator, with this checkout's code; every change is rolled back."""
	sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.destroy()
