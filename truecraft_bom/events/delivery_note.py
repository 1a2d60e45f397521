"""Delivery Note: made-to-order lines are made from their materials just before the note issues them; stock
reserved for Work Orders is not the note's to take."""

from truecraft_bom import depletion, reservation


def before_submit(doc, method=None):
	depletion.deplete(doc, depletion.MANUFACTURE)
	reservation.check_free(reservation.outgoing(doc), doc)


def on_cancel(doc, method=None):
	depletion.reverse(doc)
