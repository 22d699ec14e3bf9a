"""What the command line says: exit statuses, error lines and the summaries after a run.

Kept apart from :mod:`cleaner.cli.main` so that the subcommands (:mod:`cleaner.cli.explain`,
:mod:`cleaner.cli.show`) can use them without importing the parser that imports them.
"""
from __future__ import annotations

import sys
from typing import Any

#: Exit statuses. ``EXIT_BROKEN_PIPE``: the reader of standard output went away (128 + SIGPIPE, as a shell reports it).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTS, EXIT_BROKEN_PIPE = 0, 1, 2, 3, 141


def fail(msg: str, code: int = EXIT_FAILED) -> int:
    """Print ``cleaner: error: MSG`` on standard error and return ``code`` (the exit status)."""
    print(f"cleaner: error: {msg}", file=sys.stderr)
    return code


def summary_line(rep: dict[str, Any], outdir: str) -> str:
    """The one-paragraph summary printed after a run, then one ``cleaner: warning: ...`` line per
    warning of the report (ids used twice, steps that failed), and ``cleaner: error: ...`` when
    the run failed (a step failed on too many records)."""
    d, c = rep["documents"], rep["characters"]
    removed = (1 - c["out"] / c["in"]) * 100 if c["in"] else 0.0
    reasons = ", ".join(f"{n} {r}" for r, n in rep["dropped_by_reason"].items())
    workers = rep["run"]["workers"]
    outputs = rep.get("outputs") or {}
    written = [f"{k}-*" for k in ("clean", "dropped", "rejects") if outputs.get(k, True)]  # only shards that exist
    return (f"cleaner: {d['in']} records in: {d['clean']} clean, {d['dropped']} dropped"
            f"{' (' + reasons + ')' if reasons else ''}, {d['rejected']} rejected; "
            f"{removed:.1f}% of extracted characters removed (cut spans and dropped documents); {rep['run']['seconds']:.1f} s "
            f"({rep['run']['documents_per_second'] or 0:.1f} records/s, {workers} worker{'' if workers == 1 else 's'}).\n"
            f"cleaner: output in {outdir}/ ({', '.join(written + ['report.json', 'report.html'])})"
            + "".join(f"\ncleaner: warning: {w}" for w in rep.get("warnings") or ())
            + _no_url_note(rep, d["in"])
            + (f"\ncleaner: error: {rep['error']}" if rep.get("error") else ""))


def _no_url_note(rep: dict[str, Any], n_in: int) -> str:
    """A note when site templates could not look at documents for want of a URL (a folder of saved pages)."""
    n = ((rep.get("corpus_steps") or {}).get("site-templates") or {}).get("documents_without_url") or 0
    if not n:
        return ""
    return (f"\ncleaner: note: {n} of {n_in} document(s) have no URL (no <link rel=canonical> or og:url, no url "
            "field), so site templates could not compare them with other pages of their site; give records a URL "
            "(--url-field, or pages that declare one) to remove what a site repeats on every page")


def stdout_note(rep: dict[str, Any]) -> str | None:
    """The note on standard error after printing clean text: documents dropped, or nothing kept (``None``: all kept)."""
    d = rep["documents"]
    if d["dropped"] == 0 and d["clean"] > 0:
        return None
    if d["in"] == 0:
        return "cleaner: no record in the input: nothing to clean"
    reasons = ", ".join(f"{n} {r}" for r, n in rep["dropped_by_reason"].items())
    kept = "nothing kept" if d["clean"] == 0 else f"{d['clean']} kept"
    return (f"cleaner: {d['in']} record(s) in, {kept}: {d['dropped']} dropped"
            f"{' (' + reasons + ')' if reasons else ''}, {d['rejected']} rejected; "
            "run with -o OUTDIR to see each drop and its reason")
