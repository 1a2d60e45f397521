"""Bring the test site up to this checkout and build the demo, in one process (browser/run calls it).

The same as ``bench --site SITE execute frappe.model.sync.sync_for --args "['truecraft_bom']"``, then
``execute frappe.utils.dashboard.sync_dashboards``, ``execute truecraft_bom.setup.install.sync``, ``clear-cache`` and ``execute truecraft_bom.demo.setup``, without
starting Frappe four times.
"""

import os
import sys
import time


def main() -> int:
	import frappe
	from frappe.model.sync import sync_for
	from frappe.utils.dashboard import sync_dashboards

	site = os.environ["TRUECRAFT_SITE"]
	sites_path = os.path.join(os.environ["TRUECRAFT_BENCH"], "sites")
	os.chdir(sites_path)
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		import truecraft_bom
		from truecraft_bom import demo
		from truecraft_bom.setup import install

		print(f"app code: {os.path.dirname(truecraft_bom.__file__)}")
		started = time.monotonic()
		sync_for("truecraft_bom")
		sync_dashboards("truecraft_bom")  # number cards and charts
		install.sync()
		frappe.db.commit()
		frappe.clear_cache()
		demo.setup()
		print(f"site synced and demo ready in {time.monotonic() - started:.0f} s")
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
