"""Sites that had the app before BOM revisions get the approval workflow new installs get."""

from truecraft_bom.setup import workflow


def execute():
	workflow.create()
