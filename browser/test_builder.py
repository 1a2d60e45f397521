"""The visual BOM builder (/app/bom-builder): the lavender soap's tree, cost and "can make 53"; a new version
edited in place with the totals following as you type; a line added, saved through the document, reloaded."""

import re
from urllib.parse import urlencode

import pytest
from conftest import click_custom_button, db_value, open_form, shot, wait_for_desk, wait_idle
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY

SOAP = "DEMO-SOAP-LAV"
SOAP_LINES = [
	"DEMO-LAV-OIL",
	"DEMO-COCONUT-OIL",
	"DEMO-SHEA-BUTTER",
	"DEMO-LYE",
	"DEMO-WRAP",
	"DEMO-LABEL",
	"DEMO-LABOUR",
]
TOTAL = ".tc-builder-total"
CAPACITY = ".tc-builder-capacity"


def open_builder(page, **query):
	page.goto(f"/app/bom-builder?{urlencode(query)}")
	wait_for_desk(page)
	wait_for_builder(page)


def wait_for_builder(page):
	"""The builder shows its figures and no preview is pending."""
	page.locator(f"{CAPACITY}[data-capacity]").wait_for()
	wait_idle(page)


def line(page, item_code):
	return page.locator(f'.tc-builder-line[data-item="{item_code}"]')


def call(page, method, **args):
	return page.evaluate(
		"([method, args]) => frappe.call({method, args, type: 'GET'}).then((r) => r.message)", [method, args]
	)


def bom_lines(page, name) -> dict:
	"""item code -> qty of a BOM's lines, in order."""
	return page.evaluate(
		"(name) => frappe.xcall('frappe.client.get', {doctype: 'BOM', name})"
		".then((doc) => doc.items.map((row) => [row.item_code, row.qty]))",
		name,
	)


def total(page) -> float:
	return float(page.locator(TOTAL).get_attribute("data-value"))


@pytest.fixture
def draft(page):
	"""A new version of the lavender soap's BOM, made in the builder; deleted afterwards."""
	page.goto("/app")
	wait_for_desk(page)
	default = db_value(page, "Item", SOAP, "default_bom")
	open_builder(page, bom=default)
	page.locator(".tc-builder-new-version").click()
	page.wait_for_url(re.compile(r"/app/bom-builder\?bom="))
	page.locator(".tc-builder-save").wait_for()
	wait_for_builder(page)
	name = page.locator(".tc-builder-header").get_attribute("data-bom")
	assert name != default
	yield name
	page.evaluate("(name) => frappe.xcall('frappe.client.delete', {doctype: 'BOM', name})", name)


def test_the_soap_from_its_bom_form(page):
	page.goto("/app")
	wait_for_desk(page)
	bom = db_value(page, "Item", SOAP, "default_bom")
	open_form(page, "BOM", bom)
	click_custom_button(page, "Visual Builder", "TrueCraft")
	page.wait_for_url(re.compile(r"/app/bom-builder\?bom="))
	wait_for_builder(page)
	expect(page.locator(".tc-builder-line")).to_have_count(len(SOAP_LINES))
	for code in SOAP_LINES:
		expect(line(page, code)).to_be_visible()
	expect(page.locator(CAPACITY)).to_contain_text(f"With current stock you can make {LAVENDER_CAPACITY}")
	expect(page.locator(CAPACITY)).to_contain_text("DEMO-LAV-OIL")
	cost = call(page, "truecraft_bom.api.cost", item_code=SOAP)
	assert total(page) == pytest.approx(cost["per_unit"])
	# each line: what one bar needs, its cost and its flags
	expect(line(page, "DEMO-LYE").locator(".tc-col-need")).to_contain_text("2")  # 1.5 + 0.5 setup
	expect(line(page, "DEMO-WRAP").locator(".tc-flags")).to_contain_text("Consumable")
	expect(line(page, "DEMO-LABOUR").locator(".tc-flags")).to_contain_text("Non-stock")
	expect(line(page, "DEMO-LABOUR").locator(".tc-col-cost")).to_contain_text("2.50")
	# a submitted BOM is read-only: a new version is offered instead of Save
	expect(page.locator(".tc-builder-new-version")).to_be_visible()
	expect(page.locator(".tc-builder-save")).to_have_count(0)
	expect(line(page, "DEMO-LAV-OIL").locator('input[data-field="qty"]')).to_be_disabled()
	shot(page, "builder-lavender-soap")
	shot(page, "builder", page.locator(".tc-builder"), doc="bom-builder")


def test_the_gift_kit_tree_from_its_item_form(page):
	open_form(page, "Item", "DEMO-SOAP-GIFT")
	page.locator(".page-actions, .page-head").get_by_role("button", name="Visual Builder").click()
	page.wait_for_url(re.compile(r"/app/bom-builder\?item="))
	wait_for_builder(page)
	soap = line(page, SOAP)
	expect(soap.locator(".tc-builder-sub")).to_have_count(len(SOAP_LINES))
	expect(soap.locator(".tc-builder-sub").first).to_be_hidden()
	soap.locator(".tc-toggle").click()
	oil = soap.locator('.tc-builder-sub[data-item="DEMO-LAV-OIL"]')
	expect(oil).to_be_visible()
	expect(oil.locator(".tc-col-need")).to_contain_text("1.2")
	# a sub-assembly costs what its lines cost
	kit = call(page, "truecraft_bom.api.cost", item_code=SOAP)
	expect(soap.locator("tr.tc-line-edit .tc-col-cost")).to_contain_text(f"{kit['total']:.2f}")
	# the ribbon is optional: shown, not counted
	expect(line(page, "DEMO-RIBBON")).to_have_class(re.compile(r"\btc-excluded\b"))
	gift = call(page, "truecraft_bom.api.cost", item_code="DEMO-SOAP-GIFT")
	assert total(page) == pytest.approx(gift["per_unit"])
	shot(page, "builder-gift-kit")


def test_a_new_version_is_edited_with_live_totals_and_saved(page, draft):
	before = total(page)
	oil_qty = line(page, "DEMO-LAV-OIL").locator('input[data-field="qty"]')
	oil_qty.fill("2.4")  # twice the oil: half as many bars
	expect(page.locator(CAPACITY)).to_have_attribute("data-capacity", str(LAVENDER_CAPACITY // 2))
	assert total(page) > before
	expect(page.locator(".page-head:visible .indicator-pill:visible")).to_contain_text("Not Saved")
	# nothing is written until Save
	assert dict(bom_lines(page, draft))["DEMO-LAV-OIL"] == 1.2

	page.locator(".tc-builder-add").click()
	new = page.locator(".tc-builder-line").last
	item = new.locator(".tc-item-control input")
	item.fill("DEMO-GIFT-BOX")
	new.locator(".awesomplete [role=option]", has_text="DEMO-GIFT-BOX").first.click()
	expect(new).to_have_attribute("data-item", "DEMO-GIFT-BOX")
	expect(new.locator(".tc-col-cost")).not_to_be_empty()
	with_box = total(page)
	assert with_box > before
	shot(page, "builder-draft-edited")

	page.locator(".tc-builder-save").click()
	wait_idle(page)
	expect(page.locator(".page-head:visible .indicator-pill:visible")).to_contain_text("Draft")
	page.reload()
	wait_for_desk(page)
	wait_for_builder(page)
	expect(page.locator(".tc-builder-line")).to_have_count(len(SOAP_LINES) + 1)
	expect(line(page, "DEMO-GIFT-BOX")).to_be_visible()
	expect(line(page, "DEMO-LAV-OIL").locator('input[data-field="qty"]')).to_have_value("2.4")
	assert total(page) == pytest.approx(with_box)
	assert dict(bom_lines(page, draft))["DEMO-LAV-OIL"] == 2.4
	# the demo's own BOM is untouched: still the default, still 53
	assert db_value(page, "Item", SOAP, "default_bom") != draft
	shot(page, "builder-draft-saved")


def test_a_bad_line_shows_a_message_while_typing(page, draft):
	attrition = line(page, "DEMO-COCONUT-OIL").locator('input[data-field="tc_attrition"]')
	attrition.fill("150")
	message = page.locator(".tc-builder-error")
	expect(message).to_contain_text(re.compile("attrition", re.IGNORECASE))
	attrition.fill("3")
	expect(message).to_have_count(0)
	wait_idle(page)


def test_lines_are_removed_and_reordered(page, draft):
	line(page, "DEMO-LABEL").locator(".tc-remove").click()
	expect(page.locator(".tc-builder-line")).to_have_count(len(SOAP_LINES) - 1)
	handle = line(page, "DEMO-LABOUR").locator(".tc-drag")
	handle.drag_to(line(page, "DEMO-LAV-OIL").locator(".tc-drag"))
	expect(page.locator(".tc-builder-line").first).to_have_attribute("data-item", "DEMO-LABOUR")
	page.locator(".tc-builder-save").click()
	wait_idle(page)
	codes = [code for code, _qty in bom_lines(page, draft)]
	assert codes[0] == "DEMO-LABOUR"
	assert "DEMO-LABEL" not in codes
