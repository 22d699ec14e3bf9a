"""Exceptions of a run that the engines and the command line share."""
from __future__ import annotations

#: Kinds of reject made by pass 1 itself (readers add their own, see ``cleaner.io.readers``).
TIMEOUT, REGEX_TIMEOUT, TOO_DEEP, NO_MEMORY, WORKER_DIED, BAD_HTML, FAILED = (
    "timeout", "regex-timeout", "too-deep", "out-of-memory", "worker-died", "bad-html", "error")


class RecordTimeout(Exception):
    """A record took longer than ``doc_timeout_s``."""


class RunError(Exception):
    """A run that cannot start or finish (bad options, unusable output folder)."""
