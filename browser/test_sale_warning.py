"""The sale warning: a draft sale of more lavender soap than can be made marks the row with the most that can be
made as soon as the quantity is typed, shows one warning, and still saves."""

import re

import pytest
from conftest import open_form, shot, wait_idle
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY, WAREHOUSE

SOAP = "DEMO-SOAP-LAV"
# the form on screen (the desk keeps pages it left in the DOM, hidden)
FORM = ".page-container:visible"
SHORT_ROW = f"{FORM} .grid-row.tc-sale-short"
WARNING = f"{FORM} .form-message .tc-sale-warning"


def start_sale(page, doctype: str, qty: float):
	"""A new sale of the lavender soap from the demo warehouse, its quantity typed into the items grid."""
	open_form(page, doctype)
	page.evaluate(
		"""async ([item, warehouse]) => {
			const frm = cur_frm;
			await frm.set_value("customer", "DEMO Market Stall");
			if (frm.doctype === "Sales Invoice") await frm.set_value("update_stock", 1);
			if (frm.doctype === "Sales Order") await frm.set_value("delivery_date", frappe.datetime.add_days(frappe.datetime.get_today(), 7));
			const abbr = (await frappe.db.get_value("Company", frm.doc.company, "abbr")).message.abbr;
			const row = (frm.doc.items || [])[0] || frm.add_child("items");
			await frappe.model.set_value(row.doctype, row.name, "item_code", item);
			await frappe.model.set_value(row.doctype, row.name, "warehouse", `${warehouse} - ${abbr}`);
			frm.refresh_field("items");
		}""",
		[SOAP, WAREHOUSE],
	)
	wait_idle(page)
	type_qty(page, qty)


def type_qty(page, qty: float):
	row = page.locator(f'{FORM} .frappe-control[data-fieldname="items"] .grid-body .grid-row').first
	row.locator('.grid-static-col[data-fieldname="qty"]').click()
	field = row.locator('input[data-fieldname="qty"]')
	field.fill(str(qty))
	field.press("Tab")


def delete(page, doctype: str, name: str):
	page.evaluate(
		"([doctype, name]) => frappe.xcall('frappe.client.delete', {doctype, name})", [doctype, name]
	)


@pytest.mark.parametrize("doctype", ["Sales Invoice", "Delivery Note"])
def test_a_sale_of_more_than_can_be_made_is_marked_and_still_saves(page, doctype):
	start_sale(page, doctype, LAVENDER_CAPACITY + 7)
	flag = page.locator(f"{SHORT_ROW} .tc-sale-flag")
	expect(flag).to_contain_text(f"Can make only {LAVENDER_CAPACITY} now")
	expect(page.locator(SHORT_ROW)).to_have_attribute("title", f"Can make only {LAVENDER_CAPACITY} now")
	warning = page.locator(WARNING)
	expect(warning).to_have_count(1)
	expect(warning).to_contain_text(SOAP)
	expect(warning).to_contain_text(f"{LAVENDER_CAPACITY + 7} ordered")
	expect(warning).to_contain_text("Submitting will fail")
	shot(page, f"sale-warning-{doctype.lower().replace(' ', '-')}")
	if doctype == "Sales Invoice":
		shot(
			page,
			"sale-warning",
			page.locator(f"{FORM} .form-message").first,
			doc="sale-warning",
		)

	# what can be made: no mark, no warning
	type_qty(page, LAVENDER_CAPACITY)
	expect(page.locator(SHORT_ROW)).to_have_count(0)
	expect(page.locator(WARNING)).to_have_count(0)

	# too many again, and the draft saves all the same
	type_qty(page, LAVENDER_CAPACITY + 1)
	expect(flag).to_contain_text(f"Can make only {LAVENDER_CAPACITY} now")
	page.locator(".page-head:visible .primary-action:visible").click()
	page.wait_for_function("() => cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty()")
	wait_idle(page)
	name = page.evaluate("() => cur_frm.docname")
	try:
		assert page.evaluate("() => cur_frm.doc.docstatus") == 0
		expect(page.locator(".page-head:visible .indicator-pill:visible")).to_contain_text("Draft")
		# the saved draft says it again
		expect(page.locator(WARNING)).to_have_count(1)
		expect(page.locator(f"{SHORT_ROW} .tc-sale-flag")).to_contain_text(
			f"Can make only {LAVENDER_CAPACITY}"
		)
		shot(page, f"sale-warning-saved-{doctype.lower().replace(' ', '-')}")
	finally:
		delete(page, doctype, name)


def test_a_sales_order_is_warned_without_the_submit_note(page):
	start_sale(page, "Sales Order", LAVENDER_CAPACITY + 1)
	expect(page.locator(f"{SHORT_ROW} .tc-sale-flag")).to_contain_text(
		f"Can make only {LAVENDER_CAPACITY} now"
	)
	warning = page.locator(WARNING)
	expect(warning).to_contain_text(SOAP)
	expect(warning).not_to_contain_text("Submitting will fail")
	expect(page.locator(".page-head:visible .indicator-pill:visible")).to_have_text(re.compile("Not Saved"))
