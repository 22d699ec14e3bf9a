"""Counting a benchmark's instructions with callgrind, shared by the callgrind benchmark scripts.

Instruction counts do not depend on the machine's load, unlike wall-clock time. A script
runs itself under ``valgrind --tool=callgrind`` with the pages and without them, so that
the set-up (imports, reading, one warm-up page) cancels out.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

from pages import load_pages

#: A small page run once before the measured pages (its set-up counts in both runs).
WARM_UP = ("<html><head><title>t</title></head><body><div id='main' class='post'><p>"
           + "Ferries leave the harbour every hour. " * 20 + "</p></div></body></html>").encode()


def every_nth_page(dirs: list[str], every: int) -> list[str]:
    """Every ``every``-th page of each folder's sorted listing."""
    return [p for d in dirs for p in load_pages([d])[::every]]


def instructions(script: str, args: list[str], env: dict[str, str] | None = None) -> int:
    """Instructions callgrind counts for ``python script *args`` (the ``summary`` line of its output).

    Raises ``subprocess.CalledProcessError`` when the run fails.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
               os.path.abspath(script), *args]
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as fh:
            return int(re.search(r"^summary:\s*(\d+)", fh.read(), re.M).group(1))


def per_page(script: str, args: list[str], n: int, env: dict[str, str] | None = None) -> tuple[int, int, float]:
    """``(set-up, total, per page)`` instructions of ``python script *args`` run with ``--count 0``
    and with ``--count n`` (its ``n`` pages): the set-up run subtracted, divided by ``n``."""
    setup, total = (instructions(script, [*args, "--count", str(count)], env) for count in (0, n))
    return setup, total, (total - setup) / n
