"""Stock Ledger Entry: every document that moves stock (and every cancellation, which posts reversing
entries) submits one per item and warehouse; their items' products get their capacity refreshed."""

from truecraft_bom import refresh


def on_submit(doc, method=None):
	refresh.stock_moved([doc.item_code])
