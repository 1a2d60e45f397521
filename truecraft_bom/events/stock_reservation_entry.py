"""Stock Reservation Entry: reserved stock is not available to build with; a change refreshes capacity."""

from truecraft_bom import refresh


def on_change(doc, method=None):
	if doc.docstatus:
		refresh.stock_moved([doc.item_code])
