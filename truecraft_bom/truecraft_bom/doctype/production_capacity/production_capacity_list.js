// Production Capacity list: red when nothing can be made now.
frappe.listview_settings["Production Capacity"] = {
	add_fields: ["capacity", "unlimited", "problem"],
	get_indicator(doc) {
		if (doc.problem) return [__("BOM Problem"), "orange", "problem,is,set"];
		if (doc.unlimited) return [__("Unlimited"), "blue", "unlimited,=,1"];
		if (!doc.capacity) return [__("Cannot Be Made"), "red", "capacity,=,0"];
		return [__("Can Make {0}", [doc.capacity]), "green", "capacity,>,0"];
	},
};
