"""The Item form: no 'Not permitted' on opening it, and the dashboard says how many can be made now."""

import re

from conftest import assert_no_error_dialog, open_form, shot, visible_page
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY, MUG, MUG_CAPACITY

CAPACITY = ".page-container:visible .form-dashboard .indicator"


def show_dashboard(page):
	"""The Item form keeps its dashboard (and the capacity) in its Dashboard tab: open it as a user would."""
	visible_page(page).locator(".form-tabs .nav-link", has_text="Dashboard").click()


def test_soap_item_shows_how_many_can_be_made(page):
	# defect 1: the dashboard's call was a POST to a GET-only method, answered 403 ("Not permitted")
	with page.expect_response(lambda r: "truecraft_bom.api.item_capacity" in r.url) as answer:
		open_form(page, "Item", "DEMO-SOAP-LAV")
	assert answer.value.request.method == "GET"
	assert answer.value.status == 200, answer.value.text()
	show_dashboard(page)
	indicator = page.locator(CAPACITY, has_text="Can make")
	expect(indicator).to_be_visible()
	expect(indicator).to_have_text(
		f"Can make {LAVENDER_CAPACITY} with current stock (limited by DEMO-LAV-OIL)"
	)
	expect(indicator).to_have_class(re.compile(r"\bgreen\b"))
	assert_no_error_dialog(page)
	shot(page, "item-lavender-soap")
	stats = indicator.locator("xpath=ancestor::div[contains(@class, 'form-dashboard-section')][1]")
	tabs = visible_page(page).locator(".form-tabs-list")
	shot(page, "item-capacity", [tabs, stats], doc="item-capacity")


def test_raw_material_opens_without_an_indicator(page):
	with page.expect_response(lambda r: "truecraft_bom.api.item_capacity" in r.url) as answer:
		open_form(page, "Item", "DEMO-LAV-OIL")
	assert answer.value.status == 200
	assert answer.value.json()["message"]["buildable"] is False
	expect(page.locator(CAPACITY, has_text="Can make")).to_have_count(0)
	assert_no_error_dialog(page)
	shot(page, "item-lavender-oil")


def test_mug_variant_can_be_made_through_its_templates_lines(page):
	# the variant has no BOM: its template's inherited lines resolve to its form's body and its glaze
	open_form(page, "Item", MUG)
	show_dashboard(page)
	expect(page.locator(CAPACITY, has_text="Can make")).to_have_text(
		f"Can make {MUG_CAPACITY} with current stock (limited by DEMO-GLAZE-CELADON)"
	)
	assert_no_error_dialog(page)
	shot(page, "item-mug-variant")


def test_mug_template_opens_without_an_indicator(page):
	open_form(page, "Item", "DEMO-MUG")
	expect(page.locator(CAPACITY, has_text="Can make")).to_have_count(0)
	assert_no_error_dialog(page)
	shot(page, "item-mug-template")
