"""BOM revisions: a new BOM goes live only through an approved BOM Revision.

- ``impact``: what a revision changes (line diff, cost and capacity before and after, open Work Orders);
- ``checksum``: fingerprints of a BOM's effective lines, and the BOM form's warning when they drift;
- ``release``: putting an approved revision live and retiring the BOM it replaces;
- ``guard``: with TrueCraft Settings' *Require Approved BOM Revision*, no default BOM changes any other way.

The document and its workflow steps are in the BOM Revision controller; the workflow in ``setup.workflow``.
"""
