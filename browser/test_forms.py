"""The forms and lists the app touches open with no error dialog, no page error and no failed request."""

import pytest
from conftest import (
	assert_no_error_dialog,
	db_value,
	open_form,
	open_list,
	route,
	shot,
	visible_page,
	wait_idle,
)
from playwright.sync_api import expect

SALES = ["Sales Invoice", "Delivery Note", "Sales Order"]


@pytest.mark.parametrize("doctype", [*SALES, "BOM", "Item", "Stock Entry"])
def test_list_opens(page, doctype):
	open_list(page, doctype)
	shot(page, f"list-{doctype.lower().replace(' ', '-')}")


@pytest.mark.parametrize("doctype", [*SALES, "Item"])  # a new BOM: test_bom
def test_new_form_opens(page, doctype):
	open_form(page, doctype)
	shot(page, f"new-{doctype.lower().replace(' ', '-')}")


def test_truecraft_settings_open(page):
	route(page, "Form", "TrueCraft Settings")
	page.wait_for_function("() => window.cur_frm && cur_frm.doctype === 'TrueCraft Settings'")
	wait_idle(page)
	expect(page.locator('.frappe-control[data-fieldname="deplete_on_sale"]')).to_be_visible()
	assert_no_error_dialog(page)
	shot(page, "truecraft-settings")


def test_demo_sales_open_with_their_stock_entries(page):
	invoice = db_value(page, "Sales Invoice", {"customer": "DEMO Market Stall", "docstatus": 1}, "name")
	note = db_value(page, "Delivery Note", {"customer": "DEMO Online Shop", "docstatus": 1}, "name")
	assert invoice and note, "the demo sales are missing: is the demo set up?"
	open_form(page, "Sales Invoice", invoice)
	shot(page, "sales-invoice")
	open_form(page, "Delivery Note", note)
	expect(visible_page(page).locator(".form-message")).to_contain_text("Materials taken from stock by")
	shot(page, "delivery-note")
