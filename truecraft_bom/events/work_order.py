"""Work Order: a submitted order reserves its materials for production (ERPNext's reserved qty for
production), and closing, stopping or cancelling it releases them; each change refreshes capacity."""

from truecraft_bom import refresh


def on_change(doc, method=None):
	if doc.docstatus:
		refresh.stock_moved([row.item_code for row in doc.get("required_items") or []])
