"""Alerts to Stock Manager users, in the desk (Notification Log) and by email when the site sends email.

- A material at or under its reorder level, or whose runway is shorter than its lead time (``runway``): one
  alert per material per day, naming the products it limits and the capacity of each. Checked after every
  stock movement of the material (in the refresh job) and once a day for every material.
- A daily digest of the products whose capacity is below their target (``tc_capacity_target`` on Item).

An alert links to the Material Runway report of its material; that link is also what makes it once a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import cint, escape_html, flt, today
from frappe.utils.user import get_users_with_role

from truecraft_bom import capacity, runway
from truecraft_bom.catalog import structure

ROLE = "Stock Manager"
CLAIMS = "truecraft_bom:notified:"
SHOWN_PRODUCTS = 10


def check(codes: Iterable[str]) -> list[str]:
	"""Alert on the materials of ``codes`` that are at risk and were not alerted today; returns them."""
	materials = runway.materials(codes)
	if not materials:
		return []
	at_risk = [found for found in runway.runways(materials).values() if found.at_risk]
	users = _recipients()
	if not at_risk or not users:
		return []
	alerted = []
	for found in at_risk:
		link = _report_link("Material Runway", item_code=found.item_code)
		if _sent_today(link, f"alert:{found.item_code}"):
			continue
		subject, content = _material_alert(found)
		_notify(users, subject, content, link, "Item", found.item_code)
		alerted.append(found.item_code)
	return alerted


def digest() -> list[str]:
	"""Tell Stock Managers which products are below their capacity target; returns them."""
	below = below_target()
	users = _recipients()
	link = _report_link("Production Capacity", below_target=1)
	if not below or not users or _sent_today(link, "digest"):
		return []
	rows = "".join(
		f"<tr><td>{escape_html(row.item_code)}</td><td>{escape_html(row.item_name or '')}</td>"
		f"<td>{cint(row.capacity)}</td><td>{flt(row.target):g}</td></tr>"
		for row in below
	)
	content = (
		f"<table class='table table-bordered'><tr><th>{_('Item')}</th><th>{_('Item Name')}</th>"
		f"<th>{_('Can Make')}</th><th>{_('Target')}</th></tr>{rows}</table>"
	)
	subject = _("Products below their capacity target: {0}").format(len(below))
	_notify(users, subject, content, link, None, None)
	return [row.item_code for row in below]


def below_target() -> list[frappe._dict]:
	"""Company-wide records whose capacity is under the item's capacity target, lowest first."""
	record = frappe.qb.DocType(capacity.DOCTYPE)
	item = frappe.qb.DocType("Item")
	return (
		frappe.qb.from_(record)
		.join(item)
		.on(item.name == record.item_code)
		.select(record.item_code, item.item_name, record.capacity, item.tc_capacity_target.as_("target"))
		.where(
			record.warehouse.isnull()
			& (record.unlimited == 0)
			& (item.tc_capacity_target > 0)
			& (record.capacity < item.tc_capacity_target)
		)
		.orderby(record.capacity)
		.orderby(record.item_code)
		.run(as_dict=True)
	)


def daily():
	"""Scheduler: alert every material at risk, then send the target digest."""
	check(runway.materials())
	digest()


def _material_alert(found: runway.Runway) -> tuple[str, str]:
	code = frappe.bold(escape_html(found.item_code))
	reasons = []
	if found.under_reorder:
		reasons.append(
			_("at or under its reorder level in {0}").format(
				", ".join(escape_html(place) for place in found.under_reorder)
			)
		)
	if found.short:
		reasons.append(
			_("{0} days of stock left at the rate of the last {1} days, lead time {2} days").format(
				flt(found.days_left, 1), runway.DAYS, found.lead_time
			)
		)
	limits = _capacities(structure().used_by.get(found.item_code, ()))
	shown = [
		_("{0} (unlimited)").format(escape_html(row.item_code))
		if row.unlimited
		else _("{0} (can make {1})").format(escape_html(row.item_code), cint(row.capacity))
		for row in limits[:SHOWN_PRODUCTS]
	]
	if len(limits) > SHOWN_PRODUCTS:
		shown.append(_("and {0} more").format(len(limits) - SHOWN_PRODUCTS))
	subject = _("{0} is running low: {1}").format(code, "; ".join(reasons))
	if shown:
		subject += ". " + _("It limits {0}").format(", ".join(shown))
	content = _("Available: {0}. Used by {1} products.").format(flt(found.available, 3), len(limits))
	return subject, content


def _capacities(products: Iterable[str]) -> list[frappe._dict]:
	"""Company-wide records of ``products``, lowest capacity first."""
	if not products:
		return []
	return frappe.get_all(
		capacity.DOCTYPE,
		filters={"item_code": ("in", sorted(products)), "warehouse": ("is", "not set")},
		fields=["item_code", "capacity", "unlimited"],
		order_by="unlimited asc, capacity asc, item_code asc",
	)


def _recipients() -> list[str]:
	users = get_users_with_role(ROLE)
	if not users:
		return []
	return frappe.get_all("User", filters={"name": ("in", users)}, pluck="email")


def _sent_today(link: str, key: str) -> bool:
	"""Whether this notification went out today; if not, claims it (two jobs at once send one)."""
	if frappe.db.exists("Notification Log", {"link": link, "creation": (">=", today())}):
		return True
	# the log above is the record once committed; until then a short claim in Redis stands in for it
	claim = frappe.cache.make_key(f"{CLAIMS}{today()}:{key}")
	return not frappe.cache.set(claim, 1, nx=True, ex=600)


def _notify(users: list[str], subject: str, content: str, link: str, doctype, name):
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	make_notification_logs(
		{
			"type": "Alert",
			"subject": subject,
			"email_content": content,
			"link": link,
			"document_type": doctype,
			"document_name": name,
			"from_user": "Administrator",
		},
		users,
	)
	if _sends_email():
		frappe.sendmail(
			recipients=users,
			subject=frappe.utils.strip_html(subject),
			message=f"<p>{subject}</p>{content}<p><a href='{frappe.utils.get_url(link)}'>{_('Open')}</a></p>",
			reference_doctype=doctype,
			reference_name=name,
		)


def _sends_email() -> bool:
	from frappe.email.doctype.email_account.email_account import EmailAccount

	return bool(EmailAccount.find_default_outgoing())


def _report_link(report: str, **filters) -> str:
	return f"/app/query-report/{report.replace(' ', '%20')}?{urlencode(filters)}"
