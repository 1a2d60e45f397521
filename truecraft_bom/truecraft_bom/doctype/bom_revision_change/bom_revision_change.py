# Copyright (c) 2026, TrueCraft and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class BOMRevisionChange(Document):
	pass
