"""A Work Order for the demo's lavender soap gets its required items from the engine in the form: setup
quantity once, attrition, no consumables and no labour, the overage shown per row; saving keeps them."""

from conftest import assert_no_error_dialog, open_form, shot, wait_idle
from playwright.sync_api import expect

from truecraft_bom.demo import WAREHOUSE

SOAP = "DEMO-SOAP-LAV"
FORM = ".page-container:visible"
# ten bars: 1.2 oz oil, 8 oz coconut oil + 2 %, 4 oz shea butter, 1.5 oz lye + 0.5 oz per batch
EXPECTED = {
	"DEMO-LAV-OIL": (12, 0),
	"DEMO-COCONUT-OIL": (81.6, 1.6),
	"DEMO-SHEA-BUTTER": (40, 0),
	"DEMO-LYE": (15.5, 0.5),
}


def required_items(page) -> dict:
	return page.evaluate(
		"""() => Object.fromEntries((cur_frm.doc.required_items || []).map(
			(row) => [row.item_code, [row.required_qty, row.tc_overage_qty || 0]]))"""
	)


def test_a_work_order_gets_the_engines_required_items(page):
	open_form(page, "Work Order")
	page.evaluate(
		"""async ([item, warehouse]) => {
			const frm = cur_frm;
			const abbr = (await frappe.db.get_value("Company", frm.doc.company, "abbr")).message.abbr;
			await frm.set_value("production_item", item);
			await frm.set_value("source_warehouse", `${warehouse} - ${abbr}`);
			await frm.set_value("fg_warehouse", `${warehouse} - ${abbr}`);
			await frm.set_value("wip_warehouse", `Work In Progress - ${abbr}`);
			await frm.set_value("qty", 10);
		}""",
		[SOAP, WAREHOUSE],
	)
	wait_idle(page)
	page.wait_for_function(
		"() => (cur_frm.doc.required_items || []).some((row) => row.item_code === 'DEMO-LYE' && row.required_qty === 15.5)"
	)
	assert required_items(page) == {code: list(values) for code, values in EXPECTED.items()}
	grid = page.locator(f'{FORM} .frappe-control[data-fieldname="required_items"]')
	expect(grid).to_contain_text("DEMO-LYE")
	expect(grid).not_to_contain_text("DEMO-WRAP")
	page.keyboard.press("Control+s")
	page.wait_for_function("() => !cur_frm.is_new() && !cur_frm.is_dirty()")
	wait_idle(page)
	assert_no_error_dialog(page)
	assert required_items(page) == {code: list(values) for code, values in EXPECTED.items()}
	shot(page, "work-order-required-items", grid)
	name = page.evaluate("() => cur_frm.docname")
	page.evaluate("(name) => frappe.xcall('frappe.client.delete', {doctype: 'Work Order', name})", name)
