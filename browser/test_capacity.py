"""Production capacity on the desk: the records list and form, the three reports with their charts and
drill-downs, the TrueCraft workspace, the rebuild button, and what counter staff (Sales User) may see.

The figures are the demo's (truecraft_bom.demo): 53 lavender bars limited by the lavender oil, a gift kit of
the three soaps limited to 33, and the two demo sales' depletion.
"""

import re

from conftest import (
	SELLER,
	assert_no_error_dialog,
	log_in,
	new_context,
	open_form,
	route,
	shot,
	visible_page,
	wait_idle,
)
from playwright.sync_api import expect

from truecraft_bom.demo import LAVENDER_CAPACITY

SOAP = "DEMO-SOAP-LAV"
OIL = "DEMO-LAV-OIL"
GIFT = "DEMO-SOAP-GIFT"
GIFT_CAPACITY = 33


def open_capacity_list(page, **filters):
	route(page, "List", "Production Capacity", filters)
	page.wait_for_function(
		"""(filters) => window.cur_list && cur_list.doctype === 'Production Capacity'
			&& cur_list.page && cur_list.page.wrapper.is(':visible') && cur_list.data !== undefined
			&& Object.entries(filters).every(([field, value]) =>
				cur_list.filter_area.get().some((f) => f[1] === field && f[3] === value))""",
		arg=filters,
	)
	wait_idle(page)
	assert_no_error_dialog(page)
	return visible_page(page).locator(".frappe-list .list-row-container")


def open_report(page, name: str, **filters):
	"""Open a query report with ``filters`` set, once its rows have come back."""
	route(page, "query-report", name, filters)
	page.wait_for_function(
		"""([name, filters]) => window.frappe.query_report && frappe.query_report.report_name === name
			&& frappe.get_route_str() === 'query-report/' + name
			&& Object.entries(filters).every(([field, value]) =>
				frappe.query_report.get_filter_value(field) === value)
			&& frappe.query_report.data !== undefined && !frappe.query_report._loading""",
		arg=[name, filters],
	)
	wait_idle(page)
	assert_no_error_dialog(page)
	return visible_page(page).locator(".report-wrapper")


def report_rows(report) -> list[dict[str, str]]:
	"""The report's grid as shown: one dict a row, its cells' texts by column label."""
	header = report.locator(".dt-header .dt-row").first.locator(".dt-cell__content")
	labels = [label.strip() for label in header.all_inner_texts()]
	rows = []
	for row in report.locator(".dt-scrollable .dt-row").all():
		cells = [text.strip() for text in row.locator(".dt-cell__content").all_inner_texts()]
		rows.append(dict(zip(labels, cells, strict=False)))
	return rows


def row_of(rows, column: str, code: str) -> dict[str, str]:
	"""The row whose ``column`` shows ``code`` (a Link cell shows "CODE: title")."""
	found = [row for row in rows if row.get(column, "").split(":")[0] == code]
	assert found, f"{code} is not in the report's {column} column: {rows}"
	return found[0]


def bar_heights(page, container, some_positive: bool = True) -> list[float]:
	"""The heights of the bars of the chart in ``container``, once drawn: frappe-charts draws zeros first,
	then grows the bars with SVG <animate> elements it removes when they end (and redraws its <svg> on
	resize), so the chart is read afresh, in one go, when it has settled."""
	container.wait_for()
	heights = page.wait_for_function(
		"""([box, some]) => {
			const svg = box.querySelector('svg.frappe-chart');
			if (!svg || svg.querySelector('animate')) return null;
			const heights = [...svg.querySelectorAll('rect.bar')].map((bar) => +bar.getAttribute('height'));
			return heights.length && (!some || heights.some((height) => height > 0)) ? heights : null;
		}""",
		arg=[container.element_handle(), some_positive],
	)
	return heights.json_value()


def test_capacity_list_shows_what_can_be_made(page):
	rows = open_capacity_list(page, item_code=SOAP)
	expect(rows).to_have_count(1)
	expect(rows.first.locator(".indicator-pill:visible")).to_have_text(f"Can Make {LAVENDER_CAPACITY}")
	expect(rows.first.locator(".indicator-pill:visible")).to_have_class(re.compile(r"\bgreen\b"))
	shot(page, "capacity-list")

	# the record, read-only: figures and the limiting material
	rows.first.locator("a.ellipsis").first.click()
	page.wait_for_function("() => window.cur_frm && cur_frm.doctype === 'Production Capacity'")
	wait_idle(page)
	form = visible_page(page)
	expect(form.locator('.frappe-control[data-fieldname="capacity"] .control-value')).to_have_text(
		str(LAVENDER_CAPACITY)
	)
	expect(form.locator('.frappe-control[data-fieldname="limiting"]')).to_contain_text(OIL)
	assert page.evaluate("() => cur_frm.is_dirty() || !cur_frm.perm[0].write") is True
	expect(form.locator(".primary-action:visible")).to_have_count(0)  # nothing to save
	shot(page, "capacity-record")


def test_production_capacity_report_drills_down_to_the_runway(page):
	report = open_report(page, "Production Capacity", material=OIL)
	rows = report_rows(report)
	assert row_of(rows, "Item", SOAP)["Can Make"] == str(LAVENDER_CAPACITY)
	assert row_of(rows, "Item", SOAP)["Limiting Materials"] == OIL
	assert row_of(rows, "Item", GIFT)["Can Make"] == str(GIFT_CAPACITY)
	assert len(rows) == 2, rows  # only the products whose build needs lavender oil
	chart = visible_page(page).locator(".chart-wrapper")
	expect(chart.locator(".x.axis text")).to_have_text([GIFT, SOAP])  # lowest first
	gift_bar, soap_bar = bar_heights(page, chart)
	assert abs(gift_bar / soap_bar - GIFT_CAPACITY / LAVENDER_CAPACITY) < 0.01, (gift_bar, soap_bar)
	shot(page, "report-production-capacity")

	# a limiting material opens its runway
	report.locator(".dt-row", has_text=SOAP).locator("a", has_text=OIL).click()
	runway = open_report(page, "Material Runway", item_code=OIL)
	oil = row_of(report_rows(runway), "Material", OIL)
	assert oil["Products Affected"] == "2", oil  # the lavender bar and the gift kit
	assert float(oil["Available"].replace(",", "")) > 0, oil
	shot(page, "report-material-runway")

	# the products it affects open the capacity report again, filtered to the material
	runway.locator(".dt-row", has_text=OIL).locator('a[href*="Production%20Capacity"]').click()
	again = open_report(page, "Production Capacity", material=OIL)
	assert sorted(row["Item"].split(":")[0] for row in report_rows(again)) == sorted([SOAP, GIFT])


def test_sales_depletion_ledger_shows_which_sale_took_which_material(page):
	report = open_report(
		page, "Sales Depletion Ledger", sale_doctype="Sales Invoice", customer="DEMO Market Stall"
	)
	rows = report_rows(report)
	oil = row_of(rows, "Material", OIL)
	assert oil["Sale Type"] == "Sales Invoice" and oil["Customer"].startswith("DEMO Market Stall"), oil
	assert oil["Stock Entry"].startswith("MAT-STE-"), oil  # through which entry
	assert float(oil["Quantity"]) > 0, oil
	assert {row["Customer"].split(":")[0] for row in rows} == {"DEMO Market Stall"}
	assert all(height > 0 for height in bar_heights(page, visible_page(page).locator(".chart-wrapper")))
	shot(page, "report-sales-depletion-ledger")


def test_workspace_has_the_cards_chart_and_shortcuts(page):
	route(page, "truecraft")
	workspace = visible_page(page).locator(".codex-editor")
	cards = workspace.locator(".number-widget-box")
	expect(cards).to_have_count(2)
	for card in cards.all():
		expect(card.locator(".number")).to_have_text(re.compile(r"^\s*\d+\s*$"))
	# the site's lowest capacities: on a busy test site they may all be 0 (bars of no height), but drawn
	bars = bar_heights(page, workspace.locator(".dashboard-widget-box .widget-body"), some_positive=False)
	assert 1 <= len(bars) <= 10, bars
	shortcuts = workspace.locator(".shortcut-widget-box")
	for label in ("Production Capacity", "Material Runway", "Sales Depletion Ledger", "BOM Builder"):
		expect(shortcuts.filter(has_text=label)).to_have_count(1)
	wait_idle(page)
	assert_no_error_dialog(page)
	shot(page, "workspace-truecraft", doc="workspace")

	shortcuts.filter(has_text="Production Capacity").click()
	open_report(page, "Production Capacity")


def test_rebuild_button_in_truecraft_settings(page):
	open_form(page, "TrueCraft Settings")
	with page.expect_response(lambda r: "truecraft_bom.api.rebuild_capacity" in r.url) as answer:
		visible_page(page).locator('button[data-label="Rebuild%20Production%20Capacity"]').click()
	assert answer.value.status == 200, answer.value.text()
	# an alert of an earlier test ("Saved") may still be showing
	expect(page.locator(".desk-alert", has_text="being rebuilt in the background")).to_be_visible()
	assert_no_error_dialog(page)


def test_counter_staff_see_capacity_but_not_recipes(browser):
	context = new_context(browser)
	try:
		page = log_in(context, SELLER)
		rows = open_capacity_list(page, item_code=SOAP)
		expect(rows.first.locator(".indicator-pill:visible")).to_have_text(f"Can Make {LAVENDER_CAPACITY}")
		report = open_report(page, "Production Capacity", item_code=SOAP)
		assert row_of(report_rows(report), "Item", SOAP)["Can Make"] == str(LAVENDER_CAPACITY)
		page.guard.check()
		shot(page, "seller-capacity")

		# the recipe behind it is not theirs to read: the desk says so, and the server refuses it
		answer = page.evaluate(
			"""() => fetch('/api/resource/BOM?limit=1', {headers: {'X-Frappe-CSRF-Token': frappe.csrf_token}})
				.then((r) => r.status)"""
		)
		assert answer == 403
		route(page, "List", "BOM")
		refusal = page.locator(".modal.show .msgprint")
		expect(refusal).to_contain_text("not have doctype access")
		expect(page.locator(".modal.show .modal-title")).to_have_text("Not permitted")
		shot(page, "seller-bom-not-permitted")
	finally:
		context.close()
