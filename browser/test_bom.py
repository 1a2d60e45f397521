"""The BOM form: the line rules are columns of the items grid, editable there, and the TrueCraft dialogs."""

import re

import pytest
from conftest import (
	assert_no_error_dialog,
	click_custom_button,
	db_value,
	open_dialog,
	open_form,
	shot,
	wait_idle,
)
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY

RULE_COLUMNS = {
	"tc_setup_qty": "Setup Qty",
	"tc_attrition": "Attrition %",
	"tc_consumable": "Consumable",
	"tc_optional": "Optional",
	"tc_inherited": "Inherited by Variants",
}
FORM = "#page-BOM"
GRID = f'{FORM} .frappe-control[data-fieldname="items"] .form-grid'


def open_default_bom(page, item_code):
	name = db_value(page, "Item", item_code, "default_bom")
	assert name, f"{item_code} has no default BOM: is the demo set up?"
	open_form(page, "BOM", name)
	return name


def grid_row(page, item_code):
	return page.locator(f"{GRID} .grid-body .grid-row", has=page.locator(".static-area", has_text=item_code))


def expect_rule_columns(page):
	heading = page.locator(f"{GRID} .grid-heading-row")
	for fieldname, label in RULE_COLUMNS.items():
		column = heading.locator(f'.grid-static-col[data-fieldname="{fieldname}"]')
		expect(column).to_be_visible()
		expect(column).to_have_text(label)


def test_a_new_bom_has_the_rule_columns(page):
	open_form(page, "BOM")
	expect_rule_columns(page)
	shot(page, "bom-new")


def test_grid_shows_the_line_rules(page):
	open_default_bom(page, "DEMO-SOAP-LAV")
	expect_rule_columns(page)
	# the wrap is a consumable line: its checkbox is ticked in the grid, the oil's is not
	wrap = grid_row(page, "DEMO-WRAP").locator('.grid-static-col[data-fieldname="tc_consumable"] input')
	expect(wrap).to_have_class(re.compile(r"disabled-selected"))
	oil = grid_row(page, "DEMO-LAV-OIL").locator('.grid-static-col[data-fieldname="tc_consumable"] input')
	expect(oil).to_have_class(re.compile(r"disabled-deselected"))
	# the coconut oil's 2 % attrition and the lye's 0.5 oz setup loss show as they are
	expect(
		grid_row(page, "DEMO-COCONUT-OIL").locator('.grid-static-col[data-fieldname="tc_attrition"]')
	).to_have_text(re.compile(r"^\s*2(\.0+)?\s*%\s*$"))
	expect(
		grid_row(page, "DEMO-LYE").locator('.grid-static-col[data-fieldname="tc_setup_qty"]')
	).to_have_text(re.compile(r"^\s*0\.50*\s*$"))
	grid = page.locator(f'{FORM} .frappe-control[data-fieldname="items"]')
	grid.scroll_into_view_if_needed()
	shot(page, "bom-grid", grid, doc="bom-grid")


def test_a_rule_is_edited_in_the_grid_of_a_draft(page):
	open_default_bom(page, "DEMO-SOAP-LAV")
	# a draft copy (Menu > Duplicate): never saved, the demo's BOM stays as it is
	page.locator(f"{FORM} .page-head .menu-btn-group > button").click()
	page.locator(f"{FORM} .page-head .menu-btn-group .dropdown-item", has_text="Duplicate").click()
	page.wait_for_function("() => cur_frm && cur_frm.doctype === 'BOM' && cur_frm.is_new()")
	wait_idle(page)
	cell = grid_row(page, "DEMO-SHEA-BUTTER").locator('.grid-static-col[data-fieldname="tc_attrition"]')
	cell.click()
	field = cell.locator("input")
	expect(field).to_be_editable()
	field.fill("5")
	field.press("Tab")
	# leave the row: the grid shows the value, and the document holds it
	page.locator(f"{FORM} .page-head .title-text").click()
	expect(cell.locator(".static-area")).to_have_text(re.compile(r"^\s*5(\.0+)?\s*%\s*$"))
	value = page.evaluate(
		"() => cur_frm.doc.items.find((row) => row.item_code === 'DEMO-SHEA-BUTTER').tc_attrition"
	)
	assert value == 5
	consumable = grid_row(page, "DEMO-SHEA-BUTTER").locator(
		'.grid-static-col[data-fieldname="tc_consumable"]'
	)
	consumable.click()
	consumable.locator(".field-area input[type=checkbox]").check()
	page.locator(f"{FORM} .page-head .title-text").click()
	assert page.evaluate(
		"() => cur_frm.doc.items.find((row) => row.item_code === 'DEMO-SHEA-BUTTER').tc_consumable"
	)
	assert page.evaluate("() => cur_frm.is_new() && cur_frm.doc.docstatus === 0")
	assert_no_error_dialog(page)
	shot(page, "bom-draft-edited")


def test_explode_shows_the_requirement_tree(page):
	open_default_bom(page, "DEMO-SOAP-LAV")
	click_custom_button(page, "Explode", "TrueCraft")
	dialog = open_dialog(page, "Explode DEMO-SOAP-LAV")
	tree = dialog.locator(".truecraft-tree")
	expect(tree).to_contain_text("DEMO-SOAP-LAV")
	expect(tree.locator("tr", has_text="DEMO-LAV-OIL")).to_contain_text("1.2")
	expect(tree.locator("tr", has_text="DEMO-WRAP")).to_contain_text("Consumable")
	expect(tree.locator("tr", has_text="DEMO-LABOUR")).to_contain_text("Non-stock")
	expect(dialog.locator(".truecraft-materials tr", has_text="DEMO-COCONUT-OIL")).to_contain_text("8.16")
	assert_no_error_dialog(page)
	shot(page, "bom-explode")


def test_capacity_dialog_says_how_many_can_be_made(page):
	open_default_bom(page, "DEMO-SOAP-LAV")
	click_custom_button(page, "Capacity", "TrueCraft")
	dialog = open_dialog(page, "Capacity of DEMO-SOAP-LAV")
	expect(dialog.locator(".truecraft-capacity")).to_have_text(
		f"With current stock you can make {LAVENDER_CAPACITY} DEMO-SOAP-LAV"
	)
	expect(dialog).to_contain_text("Limited by: DEMO-LAV-OIL")
	assert_no_error_dialog(page)
	shot(page, "bom-capacity", dialog, doc="capacity-dialog")


def test_gift_kit_explodes_through_every_level(page):
	open_default_bom(page, "DEMO-SOAP-GIFT")
	click_custom_button(page, "Explode", "TrueCraft")
	dialog = open_dialog(page, "Explode DEMO-SOAP-GIFT")
	tree = dialog.locator(".truecraft-tree")
	for code in ("DEMO-SOAP-LAV", "DEMO-SOAP-ROSE", "DEMO-SOAP-EUC", "DEMO-LAV-OIL", "DEMO-GIFT-BOX"):
		expect(tree).to_contain_text(code)
	expect(tree).not_to_contain_text("DEMO-RIBBON")  # optional: left out unless asked for
	# coconut oil of the three soaps, counted once in the materials list (8.16 + 8 + 8)
	expect(dialog.locator(".truecraft-materials tr", has_text="DEMO-COCONUT-OIL")).to_contain_text("24.16")
	dialog.locator('input[data-fieldname="include_optional"]').check()
	dialog.locator(".modal-footer .btn-primary").click()
	wait_idle(page)
	expect(tree).to_contain_text("DEMO-RIBBON")
	assert_no_error_dialog(page)
	# the picture: the dialog's title and the whole tree (a taller window, so nothing scrolls)
	page.set_viewport_size({"width": 1400, "height": 1500})
	try:
		shot(page, "bom-gift-explode", [dialog.locator(".modal-header"), tree], doc="explode-dialog")
	finally:
		page.set_viewport_size({"width": 1400, "height": 900})


@pytest.mark.parametrize("item_code", ["DEMO-MUG", "DEMO-SPEAKER"])
def test_other_demo_boms_open_cleanly(page, item_code):
	open_default_bom(page, item_code)
	expect_rule_columns(page)
	assert_no_error_dialog(page)
	shot(page, f"bom-{item_code.lower()}")
