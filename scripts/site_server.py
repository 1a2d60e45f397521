#!/usr/bin/env python3
"""Serve a bench site on loopback, running THIS checkout's code, for the browser suite and the load benchmark.

    site_server.py [--workers 3] [--rq-workers 0] [--logs DIR] -- COMMAND [ARGS...]

starts gunicorn (``--workers`` processes, browser/wsgi.py) on a free port of 127.0.0.1 only, and
``--rq-workers`` RQ workers (``bench worker`` on the short, default and long queues) when asked; waits until
/api/method/ping answers; runs COMMAND with TRUECRAFT_BASE_URL set to the server; always stops the server and
its workers afterwards; exits with COMMAND's status (1 when the server could not start).

The bench and site come from TRUECRAFT_BENCH (default ~/frappe-bench) and TRUECRAFT_SITE (truecraft.test).
Python code can use ``SiteServer`` as a context manager instead.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60  # seconds for the site to answer ping


class ServerError(RuntimeError):
	pass


class SiteServer:
	def __init__(
		self,
		bench: str | None = None,
		site: str | None = None,
		workers: int = 3,
		rq_workers: int = 0,
		logs: str | None = None,
	):
		self.bench = Path(bench or os.environ.get("TRUECRAFT_BENCH") or Path.home() / "frappe-bench")
		self.site = site or os.environ.get("TRUECRAFT_SITE") or "truecraft.test"
		self.workers = workers
		self.rq_workers = rq_workers
		self.logs = Path(logs or tempfile.mkdtemp(prefix="truecraft-server-"))
		self.logs.mkdir(parents=True, exist_ok=True)
		self.python = self.bench / "env" / "bin" / "python"
		self.processes: list[subprocess.Popen] = []
		self._log_files: list = []
		self.base_url = ""

	@property
	def env(self) -> dict[str, str]:
		path = os.environ.get("PYTHONPATH")
		return {
			**os.environ,
			"TRUECRAFT_BENCH": str(self.bench),
			"TRUECRAFT_SITE": self.site,
			"PYTHONPATH": f"{REPO}:{path}" if path else str(REPO),
		}

	def __enter__(self) -> SiteServer:
		try:
			self.start()
		except BaseException:
			self.stop()
			raise
		return self

	def __exit__(self, *exc):
		self.stop()

	def start(self):
		if not (self.bench / "sites" / self.site).is_dir():
			raise ServerError(f"no site {self.site} in {self.bench}")
		port = _free_port()
		self.base_url = f"http://127.0.0.1:{port}"
		sites = str(self.bench / "sites")
		gunicorn = [
			str(self.bench / "env" / "bin" / "gunicorn"),
			"--bind",
			f"127.0.0.1:{port}",
			"--workers",
			str(self.workers),
			"--preload",
			"--timeout",
			"120",
			"--graceful-timeout",
			"5",
			"--chdir",
			sites,
			"--access-logfile",
			str(self.logs / "access.log"),
			"--error-logfile",
			str(self.logs / "error.log"),
			"--access-logformat",
			'%(t)s %(s)s %(M)sms "%(r)s"',
			"browser.wsgi:application",
		]
		output = open(self.logs / "output.log", "ab")  # what the app prints (tracebacks of refused requests)
		self._log_files.append(output)
		self.processes.append(
			subprocess.Popen(
				gunicorn, env=self.env, cwd=sites, stdout=output, stderr=output, start_new_session=True
			)
		)
		for number in range(self.rq_workers):
			log = open(self.logs / f"rq-worker-{number}.log", "ab")
			self._log_files.append(log)
			worker = [
				str(self.python),
				"-m",
				"frappe.utils.bench_helper",
				"frappe",
				"--site",
				self.site,
				"worker",
				"--queue",
				"short,default,long",
			]
			self.processes.append(
				subprocess.Popen(
					worker, env=self.env, cwd=sites, stdout=log, stderr=log, start_new_session=True
				)
			)
		self._wait_until_up()

	def _wait_until_up(self):
		deadline = time.monotonic() + START_TIMEOUT
		while time.monotonic() < deadline:
			if self.processes[0].poll() is not None:
				raise ServerError(f"the server stopped while starting; logs in {self.logs}")
			try:
				with urllib.request.urlopen(f"{self.base_url}/api/method/ping", timeout=2) as answer:
					if b"pong" in answer.read():
						return
			except OSError:
				pass
			time.sleep(0.2)
		raise ServerError(f"{self.base_url} did not answer ping in {START_TIMEOUT} s; logs in {self.logs}")

	def stop(self):
		for process in self.processes:
			if process.poll() is None:
				os.killpg(process.pid, signal.SIGTERM)
		deadline = time.monotonic() + 10
		for process in self.processes:
			try:
				process.wait(timeout=max(deadline - time.monotonic(), 0.1))
			except subprocess.TimeoutExpired:
				os.killpg(process.pid, signal.SIGKILL)
				process.wait()
		self.processes = []
		for log in self._log_files:
			log.close()
		self._log_files = []


def create(base_url: str, token: str, doc: dict, timeout: float = 300) -> tuple[int, float, dict]:
	"""POST ``doc`` to /api/resource/<doctype> (``"docstatus": 1`` inserts and submits it) with an API
	``token``: (HTTP status, seconds, answer). Status 0: no answer at all (connection dropped, timeout)."""
	request = urllib.request.Request(
		f"{base_url}/api/resource/{urllib.parse.quote(doc['doctype'])}",
		data=json.dumps(doc, default=str).encode(),
		headers={"Authorization": token, "Content-Type": "application/json", "Accept": "application/json"},
		method="POST",
	)
	started = time.perf_counter()
	try:
		with urllib.request.urlopen(request, timeout=timeout) as answer:
			status, body = answer.status, answer.read()
	except urllib.error.HTTPError as error:
		status, body = error.code, error.read()
	except OSError as error:
		status, body = 0, json.dumps({"exception": repr(error)}).encode()
	elapsed = time.perf_counter() - started
	try:
		payload = json.loads(body or b"{}")
	except ValueError:
		payload = {"raw": body[:300].decode(errors="replace")}
	return status, elapsed, payload


def _free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def main(argv: list[str]) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--workers", type=int, default=3)
	parser.add_argument("--rq-workers", type=int, default=0)
	parser.add_argument("--logs")
	parser.add_argument("command", nargs=argparse.REMAINDER)
	args = parser.parse_args(argv)
	command = args.command[1:] if args.command[:1] == ["--"] else args.command
	if not command:
		parser.error("no command to run")
	server = SiteServer(workers=args.workers, rq_workers=args.rq_workers, logs=args.logs)
	try:
		with server:
			print(
				f"serving {server.site} on {server.base_url} ({server.workers} web workers, "
				f"{server.rq_workers} RQ workers; logs in {server.logs})",
				flush=True,
			)
			return subprocess.call(command, env={**server.env, "TRUECRAFT_BASE_URL": server.base_url})
	except ServerError as error:
		print(f"site server: {error}", file=sys.stderr)
		tail = server.logs / "error.log"
		if tail.exists():
			print("\n".join(tail.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
		return 1


if __name__ == "__main__":
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
	sys.exit(main(sys.argv[1:]))
