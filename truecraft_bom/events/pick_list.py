"""Pick List: stock reserved for Work Orders is not for picking."""

from truecraft_bom import reservation


def before_submit(doc, method=None):
	reservation.check_free(reservation.outgoing(doc), doc)
