"""report.html in a real headless browser (Debian's chromium): charts drawn, sample shown, console clean.

The browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ending in NUL, commands on fd 3, answers on fd 4), so the test needs
nothing beyond the standard library and the ``chromium`` binary. Under ``CI=true`` a
missing browser fails the test; elsewhere it is skipped with the command to install it.
"""
from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from cleaner.config import Options
from cleaner.engines.local.run import run

from test_report_html import hostile_corpus, story

#: Seconds the browser gets to start, load the page and answer.
BROWSER_TIMEOUT_S = 60
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--disable-default-apps", "--mute-audio", "--remote-debugging-pipe"]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    msg = "Debian's chromium is not installed (apt-get update && apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + "; .ci/run installs it, so CI must have it", pytrace=False)
    pytest.skip(msg)


class DevTools:
    """A minimal DevTools-protocol client over chromium's debugging pipe."""

    def __init__(self, binary: str, profile: str):
        cmd_r, self._cmd_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        hi_cmd, hi_resp = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(resp_w, fcntl.F_DUPFD, 10)

        def child_fds() -> None:  # runs in the child between fork and exec
            os.dup2(hi_cmd, 3)
            os.dup2(hi_resp, 4)

        self.proc = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=child_fds, close_fds=False)
        for fd in (cmd_r, resp_w, hi_cmd, hi_resp):
            os.close(fd)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            import select
            ready, _, _ = select.select([self._resp_r], [], [], 0.5)
            if ready:
                chunk = os.read(self._resp_r, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the debugging pipe: " + self.stderr_tail())
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + BROWSER_TIMEOUT_S
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + BROWSER_TIMEOUT_S
        for m in self.events:
            if m.get("method") == method and m.get("sessionId") == session:
                return m
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method and m.get("sessionId") == session:
                return m

    def stderr_tail(self) -> str:
        return "" if self.proc.poll() is None else (self.proc.stderr.read() or b"")[-2000:].decode("utf-8", "replace")

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._resp_r)


def load_in_browser(path: str, probe: str) -> tuple[dict, list[dict]]:
    """Open ``path`` in headless chromium; return ``probe`` (a JS expression giving JSON) and the page's events."""
    binary = chromium_path()
    with tempfile.TemporaryDirectory(prefix="cleaner-chromium-") as profile:
        dt = DevTools(binary, profile)
        try:
            target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                dt.send(f"{domain}.enable", session=session)
            dt.send("Page.navigate", {"url": "file://" + os.path.abspath(path)}, session=session)
            dt.wait_event("Page.loadEventFired", session)
            res = dt.send("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session=session)
            if "exceptionDetails" in res:
                raise RuntimeError(f"probe failed: {res['exceptionDetails']}")
            events = [e for e in dt.events if e.get("sessionId") == session]
        finally:
            dt.close()
    return json.loads(res["result"]["value"]), events


PROBE = """JSON.stringify({
  charts: [...document.querySelectorAll('svg.chart')].map(s => {
    const r = s.getBoundingClientRect();
    const bars = [...s.querySelectorAll('rect')].map(b => b.getBoundingClientRect().width);
    return {label: s.getAttribute('aria-label'), width: r.width, height: r.height, bars: bars};
  }),
  samples: [...document.querySelectorAll('article.sample')].map(a => ({
    id: a.querySelector('h3 code').textContent,
    removed: [...a.querySelectorAll('.before .rm')].filter(e => e.getBoundingClientRect().height > 0)
                 .map(e => e.querySelector('.tag').textContent),
    after: a.querySelector('.after').innerText,
  })),
  rejects: [...document.querySelectorAll('#rejects .reject-kind')].filter(e => e.getBoundingClientRect().height > 0)
             .map(e => ({kind: e.dataset.kind, heading: e.querySelector('h3').innerText,
                         rows: [...e.querySelectorAll('tr')].slice(1).map(r => r.innerText)})),
  scripts: document.scripts.length,
  images: document.images.length,
  bodyText: document.body.innerText,
})"""


def test_report_renders_charts_and_sample_in_chromium_without_console_errors(tmp_path):
    chromium_path()  # skip or fail before the run when there is no browser
    out = tmp_path / "out"
    corpus = hostile_corpus(tmp_path)
    with open(corpus, "a", encoding="utf-8") as fh:   # two records that cannot be read: rejects
        fh.write("{not json at all\n[1, 2, 3]\n")
    res = run([corpus], dataclasses.replace(Options(progress=False), workers=1), str(out))
    assert res.report["documents"]["rejected"] == 2
    assert res.report["characters"]["removed_by_rule"], "the corpus must have removals to draw"
    page, events = load_in_browser(str(out / "report.html"), PROBE)

    problems = [e["params"] for e in events if e["method"] in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled")]
    problems += [e["params"]["entry"]["text"] for e in events
                 if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning")]
    assert problems == [], "the console of report.html must stay empty"
    requests = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    assert all(u.startswith("file://") for u in requests), requests

    charts = {c["label"]: c for c in page["charts"]}
    for label in ("Characters removed by kind", "Characters removed by rule", "Documents dropped by reason",
                  "Template characters by host", "Seconds by step"):
        c = charts[label]
        assert c["width"] > 100 and c["height"] > 10, c
        assert c["bars"] and max(c["bars"]) > 50, c   # the largest bar is drawn at a readable length
    assert len(charts["Template characters by host"]["bars"]) == 2

    samples = {s["id"]: s for s in page["samples"]}
    assert "a.example-0" in samples
    tags = samples["a.example-0"]["removed"]
    assert any(t.startswith("chrome.") for t in tags) and any(t.startswith("site.template@1") for t in tags)
    assert "Skip to content" not in samples["a.example-0"]["after"]
    assert story(0)[0] in samples["a.example-0"]["after"]

    # Rejects by kind, each with its first examples: source, position (the line), error.
    kinds = res.report["rejected_by_kind"]
    assert {r["kind"] for r in page["rejects"]} == set(kinds)
    rows = [row for r in page["rejects"] for row in r["rows"]]
    assert len(rows) == 2 and all("corpus.jsonl" in row for row in rows)
    lines = sorted(int(row.split("\t")[1]) for row in rows)
    assert lines == [12, 13]
    assert all(str(kinds[r["kind"]]) in r["heading"] for r in page["rejects"])

    # Hostile page text stays text: no element came out of it.
    assert page["scripts"] == 0 and page["images"] == 0
    assert "<script>alert('pwned')</script>" in page["bodyText"]
