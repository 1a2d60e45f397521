"""Keep Production Capacity records true: after a change commits, refresh in the background the records it
touches; rebuild everything on request and every hour.

During a transaction, event handlers note the items whose stock moved (``stock_moved``) or whose BOM
structure changed (``structure_changed``). After it commits, the noted items join a pending set in Redis and
one refresh job is queued for the site, unless one is queued already: a Redis flag set with NX until the job
starts. Frappe's own ``deduplicate`` is not used: it also skips when the job is running, and the changes
committed while it runs would wait for the hourly backstop. The job takes the whole pending set at once, so a
burst of documents costs one or two jobs. A job that fails puts its items back (a deadlock or lock timeout
is retried by Frappe at once); the hourly backstop rebuilds every record.

A full rebuild runs on the long queue as one job per chunk of products, so that several RQ workers share it.
Tests run no workers: ``drain`` runs the pending refresh in the test's own transaction.
"""

from __future__ import annotations

import hashlib

import frappe

from truecraft_bom import alerts, capacity

MOVED = "truecraft_bom:capacity:moved"
CHANGED = "truecraft_bom:capacity:changed"
REBUILD = "truecraft_bom:capacity:rebuild_wanted"
QUEUED = "truecraft_bom:capacity:queued"
QUEUED_TTL = 900  # a queued job lost with its worker stops blocking new ones after this many seconds
REBUILD_JOB = "truecraft_bom:capacity:rebuild"


def stock_moved(codes):
	"""Stock of ``codes`` moved (or its reservation changed) in this transaction."""
	_note(MOVED, codes)


def structure_changed(doc, method=None):
	"""doc_events handler: a BOM, Item, Item Alternative, UOM or Item Attribute changed."""
	if doc.doctype == "BOM":
		_note(CHANGED, [doc.item])
	elif doc.doctype == "Item":  # its variants and the products using any of them follow (capacity.affected)
		_note(CHANGED, [doc.name])
	elif doc.doctype == "Item Alternative":
		_note(CHANGED, [doc.item_code, doc.alternative_item_code])
	else:  # a UOM's whole-number rule or an attribute's values: may touch any product
		_note(REBUILD, ["all"])


def _note(kind: str, codes):
	codes = {code for code in codes if code}
	if not codes:
		return
	noted = getattr(frappe.local, "truecraft_capacity_noted", None)
	if noted is None:
		noted = frappe.local.truecraft_capacity_noted = {MOVED: set(), CHANGED: set(), REBUILD: set()}
		frappe.db.after_commit.add(_flush)
		frappe.db.after_rollback.add(_forget)
	noted[kind] |= codes


def _forget():
	frappe.local.truecraft_capacity_noted = None


def _flush():
	"""After commit: hand the noted items to the queue. Never raises: the document has already committed."""
	noted = getattr(frappe.local, "truecraft_capacity_noted", None)
	frappe.local.truecraft_capacity_noted = None
	if not noted:
		return
	try:
		_push(noted)
		if not frappe.flags.in_test:
			queue()
	except Exception:
		# deferred: this transaction has committed and nothing may follow it; the hourly backstop catches up
		frappe.log_error(title="Production Capacity: could not queue a refresh", defer_insert=True)


def queue():
	"""Queue the refresh job unless one is queued already."""
	key = frappe.cache.make_key(QUEUED)
	job_id = f"truecraft_bom:capacity:refresh:{frappe.generate_hash(length=12)}"
	if not frappe.cache.set(key, job_id, nx=True, ex=QUEUED_TTL):
		return None
	try:
		frappe.enqueue("truecraft_bom.refresh.run_pending", queue="short", job_id=job_id)
	except Exception:
		frappe.cache.delete(key)
		raise
	return job_id


def run_pending(isolated: bool = True):
	"""The refresh job: refresh the records touched by every change committed since the last job took them."""
	frappe.cache.delete(frappe.cache.make_key(QUEUED))  # from now on, a commit queues the next job
	taken = _take()
	try:
		if taken[REBUILD]:
			rebuild()
		products = capacity.affected(taken[MOVED], taken[CHANGED])
		counts = capacity.refresh(products, isolated=isolated)
		alerts.check(taken[MOVED])
	except Exception:
		_push(taken)
		raise
	return counts


def drain():
	"""Run what the queue holds now, in the current transaction (tests)."""
	return run_pending(isolated=False)


def pending() -> dict[str, set[str]]:
	"""What the next refresh job will take."""
	return {kind: _decode(frappe.cache.smembers(kind)) for kind in (MOVED, CHANGED, REBUILD)}


def clear():
	"""Forget what is pending (tests)."""
	frappe.cache.delete(*(frappe.cache.make_key(kind) for kind in (MOVED, CHANGED, REBUILD, QUEUED)))
	frappe.local.truecraft_capacity_noted = None


def rebuild():
	"""Queue a full rebuild on the long queue unless one is queued or running (tests: run it now)."""
	frappe.enqueue(
		"truecraft_bom.refresh.plan_rebuild",
		queue="long",
		job_id=REBUILD_JOB,
		deduplicate=not frappe.flags.in_test,
		now=frappe.flags.in_test,
	)


def plan_rebuild():
	"""The rebuild job: one job per chunk of products (records of items no longer made go with them)."""
	codes = set(capacity.products())
	codes.update(frappe.get_all(capacity.DOCTYPE, pluck="item_code", distinct=True))
	ordered = sorted(codes)
	for start in range(0, len(ordered), capacity.CHUNK):
		chunk = ordered[start : start + capacity.CHUNK]
		digest = hashlib.sha1("\n".join(chunk).encode()).hexdigest()[:16]
		frappe.enqueue(
			"truecraft_bom.refresh.rebuild_chunk",
			queue="long",
			job_id=f"{REBUILD_JOB}:{digest}",
			deduplicate=not frappe.flags.in_test,
			now=frappe.flags.in_test,
			codes=chunk,
			isolated=not frappe.flags.in_test,
		)


def rebuild_chunk(codes: list[str], isolated: bool = True):
	return capacity.refresh(codes, isolated=isolated)


def hourly():
	"""Scheduler backstop: rebuild every record, and queue anything left pending by a failed job."""
	rebuild()
	if any(pending().values()):
		queue()


def _push(noted: dict[str, set[str]]):
	for kind, codes in noted.items():
		if codes:
			frappe.cache.sadd(kind, *sorted(codes))


def _take() -> dict[str, set[str]]:
	"""Everything pending, removed atomically."""
	pipe = frappe.cache.pipeline()
	kinds = (MOVED, CHANGED, REBUILD)
	for kind in kinds:
		key = frappe.cache.make_key(kind)
		pipe.smembers(key)
		pipe.delete(key)
	replies = pipe.execute()
	return {kind: _decode(replies[2 * n]) for n, kind in enumerate(kinds)}


def _decode(members) -> set[str]:
	return {m.decode() if isinstance(m, bytes) else m for m in members or ()}
