"""Delivery Note: made-to-order lines are made from their materials just before the note issues them."""

from truecraft_bom import depletion


def before_submit(doc, method=None):
	depletion.deplete(doc, depletion.MANUFACTURE)


def on_cancel(doc, method=None):
	depletion.reverse(doc)
