"""BOM revisions on the desk: New Revision from the soap's BOM form and from the builder opens a BOM Revision
with its impact; the maker submits it for approval and is offered no approval of their own; the BOM form of a
released variant BOM warns when a line it inherits changed."""

import os
import re

import pytest
from conftest import assert_no_error_dialog, db_value, open_form, shot, wait_for_desk, wait_idle
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY

SOAP = "DEMO-SOAP-LAV"
VISIBLE = ".page-container:visible"


def delete(page, doctype, name):
	page.evaluate(
		"([doctype, name]) => frappe.xcall('frappe.client.delete', {doctype, name})", [doctype, name]
	)


def new_revision(page, reason) -> str:
	"""Click New Revision, give the reason, create: the revision form opens. Returns its name."""
	page.locator(f'{VISIBLE} button[data-label="New%20Revision"]').click()
	dialog = page.locator(
		".modal.show .modal-dialog", has=page.locator(".modal-title", has_text="New Revision")
	)
	dialog.locator('textarea[data-fieldname="reason"]').fill(reason)
	dialog.locator(".btn-primary").click()
	page.wait_for_url(re.compile(r"/app/bom-revision/"))
	page.wait_for_function("() => window.cur_frm && cur_frm.doctype === 'BOM Revision' && !cur_frm.is_new()")
	wait_idle(page)
	assert_no_error_dialog(page)
	return page.evaluate("() => cur_frm.docname")


@pytest.fixture
def revisions(page):
	"""Revisions the test makes (and their proposed BOMs): deleted afterwards."""
	made = []
	yield made
	for name in made:
		proposed = db_value(page, "BOM Revision", name, "proposed_bom")
		delete(page, "BOM Revision", name)
		delete(page, "BOM", proposed)


def test_new_revision_from_the_bom_form(page, revisions):
	current = db_value(page, "Item", SOAP, "default_bom")
	open_form(page, "BOM", current)
	revisions.append(new_revision(page, "Cheaper shea butter"))

	intro = page.locator(f"{VISIBLE} .form-message")
	expect(intro).to_contain_text("Cost per unit")
	expect(intro).to_contain_text(f"capacity {LAVENDER_CAPACITY} → {LAVENDER_CAPACITY}")
	expect(intro).to_contain_text(f"0 line changes; 0 open Work Orders on {current}")
	assert page.evaluate("() => cur_frm.doc.current_bom") == current
	proposed = page.evaluate("() => cur_frm.doc.proposed_bom")
	assert db_value(page, "BOM", proposed, "docstatus") == 0
	expect(page.locator(f"{VISIBLE} .indicator-pill", has_text="Draft").first).to_be_visible()
	shot(page, "bom-revision", doc="bom-revision")


def test_new_revision_from_the_builder(page, revisions):
	current = db_value(page, "Item", SOAP, "default_bom")
	page.goto(f"/app/bom-builder?bom={current}")
	wait_for_desk(page)
	page.locator(".tc-builder-capacity[data-capacity]").wait_for()
	wait_idle(page)
	revisions.append(new_revision(page, "From the builder"))
	assert page.evaluate("() => cur_frm.doc.current_bom") == current


def test_the_maker_submits_for_approval_and_cannot_approve(page, revisions):
	open_form(page, "BOM", db_value(page, "Item", SOAP, "default_bom"))
	name = new_revision(page, "Needs a second pair of eyes")
	revisions.append(name)
	actions = page.locator(f"{VISIBLE} .actions-btn-group")
	actions.locator("> button").click()
	actions.locator(".dropdown-item", has_text="Submit for Approval").click()
	page.wait_for_function("() => cur_frm.doc.workflow_state === 'Pending Approval'")
	wait_idle(page)
	assert db_value(page, "BOM Revision", name, "proposed_by") == page.evaluate("() => frappe.session.user")
	# the desk offers no Approve or Reject to whoever proposed it
	expect(actions.locator(".dropdown-item", has_text="Approve")).to_have_count(0)
	expect(actions.locator(".dropdown-item", has_text="Reject")).to_have_count(0)
	shot(page, "bom-revision-pending")


@pytest.fixture(scope="module")
def drifted():
	"""A variant mug whose BOM a revision released, after which its template's inherited line changed
	(made on the site directly: approving needs a second user)."""
	import frappe
	from frappe.model.workflow import apply_workflow

	from truecraft_bom.tests import factories as f
	from truecraft_bom.truecraft_bom.doctype.bom_revision.bom_revision import make_revision

	sites = os.path.join(os.environ["TRUECRAFT_BENCH"], "sites")
	here = os.getcwd()
	os.chdir(sites)  # frappe finds the bench (its logs) from the working directory
	frappe.init(site=os.environ["TRUECRAFT_SITE"], sites_path=sites)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		roles = ["Manufacturing User", "Manufacturing Manager", "Stock User"]
		proposer = f.make_user("tc-browser-proposer@example.com", roles)
		approver = f.make_user("tc-browser-approver@example.com", roles)
		run = frappe.generate_hash(length=5).upper()
		clay, glaze = (
			f.make_item(f"BRW{run}-CLAY", stock_uom="Kg"),
			f.make_item(f"BRW{run}-GLAZE", stock_uom="Kg"),
		)
		f.make_attribute("BRW Size", ["Small", "Large"])
		template = f.make_template(f"BRW{run}-MUG", ["BRW Size"])
		variant = f.make_variant(template, {"BRW Size": "Small"})
		f.make_bom(template, [{"item_code": clay, "qty": 1, "tc_inherited": 1}])
		bom = f.make_bom(variant, [{"item_code": glaze, "qty": 1}]).name
		frappe.set_user(proposer)
		revision = make_revision(bom, "browser suite")
		apply_workflow(frappe.get_doc("BOM Revision", revision), "Submit for Approval")
		frappe.set_user(approver)
		apply_workflow(frappe.get_doc("BOM Revision", revision), "Approve")
		apply_workflow(frappe.get_doc("BOM Revision", revision), "Release")
		frappe.set_user("Administrator")
		released = frappe.db.get_value("BOM Revision", revision, "proposed_bom")
		f.make_bom(template, [{"item_code": clay, "qty": 2, "tc_inherited": 1}])  # the template line changes
		frappe.db.commit()
	finally:
		frappe.destroy()
		os.chdir(here)
	yield released, revision


def test_released_bom_warns_when_an_inherited_line_changed(page, drifted):
	released, revision = drifted
	open_form(page, "BOM", released)
	intro = page.locator(f"{VISIBLE} .form-message")
	expect(intro).to_contain_text(f"no longer match what {revision} approved")
	expect(intro.locator("a")).to_have_attribute("href", f"/app/bom-revision/{revision}")
	shot(page, "bom-revision-drift", element=intro)
