"""Faults on a running server: a web worker killed in the middle of a sale leaves nothing half-posted.

The site is served by gunicorn (scripts/site_server.py) and the sale goes through the REST API, as a shop's
does. This test commits its data so the server can see it; its items are unique per run.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from truecraft_bom.tests import factories as f

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from site_server import SiteServer, create

test_dependencies = ["Currency Exchange"]
WAIT = 60  # seconds a condition may take to come true (it normally takes well under one)


def wait_until(condition, what: str):
	deadline = time.monotonic() + WAIT
	while not condition():
		if time.monotonic() > deadline:
			raise AssertionError(f"timed out waiting until {what}")
		time.sleep(0.05)


class TestFaults(FrappeTestCase):
	def test_a_worker_killed_mid_sale_leaves_nothing_half_posted(self):
		oil, soap = f.made_to_order_soap("FAULT", 5, rate=2)
		token = f.api_token("Administrator")
		invoice = f.make_sales_invoice([(soap, 2, 10)], submit=False).as_dict()
		invoice = {
			key: value for key, value in invoice.items() if key not in ("name", "creation", "modified")
		}
		invoice["items"] = [
			{k: v for k, v in row.items() if k not in ("name", "parent", "creation", "modified")}
			for row in invoice["items"]
		]
		invoice["docstatus"] = 1
		frappe.db.commit()
		before = self.ledger(oil)

		with SiteServer(site=frappe.local.site, workers=1) as server:
			master = server.processes[0].pid
			# Hold the Stock Entry naming series: the sale stops inside its own transaction after it has
			# written its invoice and locked and planned its stock, where it names its Manufacture entry.
			series = frappe.db.sql(
				"select name from `tabSeries` where name like 'MAT-STE-%%' order by name desc limit 1"
			)[0][0]
			frappe.db.sql("select current from `tabSeries` where name = %s for update", series)
			me = frappe.db.sql("select connection_id()")[0][0]
			answer = {}
			request = threading.Thread(
				target=lambda: answer.update(
					zip(
						("status", "elapsed", "body"),
						create(server.base_url, token, invoice, WAIT),
						strict=True,
					)
				)
			)
			request.start()

			def sale_waiting():
				return [
					row
					for row in frappe.db.sql("show full processlist", as_dict=True)
					if row.Id != me and "tabSeries" in (row.Info or "")
				]

			wait_until(sale_waiting, "the sale waits on the naming series")
			[waiting] = sale_waiting()
			workers = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
			for pid in workers.split():
				os.kill(int(pid), signal.SIGKILL)
			request.join(timeout=WAIT)
			frappe.db.commit()  # lets the killed sale's statement go on: its connection is gone, so it rolls back
			wait_until(
				lambda: waiting.Id not in {row.Id for row in frappe.db.sql("show processlist", as_dict=True)},
				"the killed sale's connection is gone",
			)
			frappe.db.commit()

			self.assertEqual(answer.get("status"), 0, answer)  # the client saw the connection drop
			self.assertEqual(self.ledger(oil), before)
			self.assertEqual(frappe.db.count("Sales Invoice Item", {"item_code": soap}), 1)  # the draft only
			self.assertFalse(
				frappe.db.exists("Stock Entry Detail", {"item_code": oil, "s_warehouse": ("is", "set")})
			)
			self.assertFalse(frappe.db.exists("Bin", {"item_code": soap, "actual_qty": ("!=", 0)}))

			# the site goes on: the same sale, sent again, goes through
			again = dict(
				zip(("status", "elapsed", "body"), create(server.base_url, token, invoice, WAIT), strict=True)
			)
			self.assertEqual(again["status"], 200, again)
		frappe.db.commit()
		self.assertEqual(self.ledger(oil), {"qty": before["qty"] - 2, "entries": before["entries"] + 1})
		sold = frappe.get_doc("Sales Invoice", again["body"]["data"]["name"])
		sold.cancel()
		frappe.db.commit()
		self.assertEqual(self.ledger(oil)["qty"], before["qty"])

	@staticmethod
	def ledger(item: str) -> dict:
		rows = frappe.get_all(
			"Stock Ledger Entry", filters={"item_code": item, "is_cancelled": 0}, fields=["actual_qty"]
		)
		return {"qty": sum(row.actual_qty for row in rows), "entries": len(rows)}
