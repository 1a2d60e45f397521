"""WSGI entry of the browser suite's own server (browser/run starts gunicorn on it).

Serves the site TRUECRAFT_SITE of the bench TRUECRAFT_BENCH, with its /assets and /files, whatever the Host
header says. The server imports THIS checkout's truecraft_bom (browser/run puts it first on PYTHONPATH).
"""

import os

SITES_PATH = os.path.join(os.environ["TRUECRAFT_BENCH"], "sites")
os.chdir(SITES_PATH)

import frappe.app  # noqa: E402 (frappe reads the sites folder from the working directory)

frappe.app._site = os.environ["TRUECRAFT_SITE"]
frappe.app._sites_path = SITES_PATH
application = frappe.app.application_with_statics()
