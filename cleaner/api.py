"""The public Python API: one page or text cleaned in memory, or a corpus cleaned exactly as ``cleaner clean`` does.

::

    import cleaner

    doc = cleaner.clean_html(page_bytes, url="https://example.org/news/1")
    doc.clean_text          # the text cleaner clean would write for this page
    doc.removed             # [Span(start, end, rule, detail), ...]: offsets into doc.text
    report = cleaner.run(["pages/"], "out/", cleaner.Options(workers=2))

What a cleaned :class:`~cleaner.document.Document` holds: ``text`` is the extracted main
content (for :func:`clean_text`, the text given), never edited by cleaning; ``removed``
lists the spans the steps marked, as character offsets into ``text``; ``clean_text`` is
``text`` with those spans cut (:func:`~cleaner.document.apply_spans`); ``dropped`` is
``None``, or the reason the whole document would go (``"empty record"``: nothing but white
space was given; ``"no main content"``; ``"empty after cleaning"``: less than
``options.min_doc_chars`` characters left). So every removed
character stays traceable to a rule, as ``cleaner explain`` shows it.

A user's own per-document step is a subclass of :class:`cleaner.Marker` with a versioned
``name`` (``"shouting@1"``: change the version when its behaviour changes, so that an
interrupted run started again does not reuse spooled documents) and one method
``mark(self, doc)`` returning :class:`cleaner.Span` objects (offsets into ``doc.text``;
``rule`` a versioned rule name, best prefixed by a family of its own: ``"mine.shouting@1"``).
Given with ``steps=``, such markers run after the built-in ones on every document, on the
local engine and on Ray; their spans are cut like any other, listed in the document's
``removed``, counted in ``report.json`` (``characters.removed_by_rule`` by rule,
``seconds_by_step`` by step name, ``user_steps``) and highlighted in ``report.html``'s
samples (the ``cleaner explain`` command runs the built-in steps only).
"""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import sys
import threading
from typing import TYPE_CHECKING, Any, Iterable, Sequence, Union

from .config import Options, check_options
from .document import Document
from .steps import Marker

if TYPE_CHECKING:  # pragma: no cover
    from .engines.document_work import DocumentProcessor
    from .engines.result import RunResult

PathLike = Union[str, "os.PathLike[str]"]


class CleanError(ValueError):
    """A page or text that cannot be cleaned: the reason ``cleaner clean`` would reject it.

    ``kind`` is the short kind of the rejects file: ``bad-html``, ``timeout``,
    ``regex-timeout``, ``too-deep``, ``out-of-memory``, ``step-failed`` (a step raised),
    ``error`` or a decoding kind.
    """

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


# --------------------------------------------------------------------------- user steps


def check_steps(steps: Marker | Iterable[Marker] | None) -> tuple[Marker, ...]:
    """``steps`` as a tuple of :class:`Marker` instances, checked.

    Raises ``TypeError`` for something that is not a :class:`Marker` instance (a class
    instead of an instance included) or a marker without its own ``mark`` method, and
    ``ValueError`` for a name without a version (``"name@1"``) or a name used twice.
    """
    if steps is None:
        return ()
    if isinstance(steps, Marker):
        steps = (steps,)
    out = tuple(steps)
    names: set[str] = set()
    for s in out:
        if isinstance(s, type) and issubclass(s, Marker):
            raise TypeError(f"steps takes Marker instances: pass {s.__name__}(), not the class {s.__name__}")
        if not isinstance(s, Marker):
            raise TypeError(f"steps takes instances of a subclass of cleaner.Marker, not {type(s).__name__}")
        if type(s).mark is Marker.mark:
            raise TypeError(f"{type(s).__name__} does not define mark(self, doc)")
        name = getattr(s, "name", "")
        if not isinstance(name, str) or "@" not in name or not name.split("@", 1)[0] or not name.split("@", 1)[1]:
            raise ValueError(f"{type(s).__name__}.name must be a versioned name such as 'shouting@1', not {name!r}")
        if name in names:
            raise ValueError(f"two steps are named {name!r}; give each its own name")
        names.add(name)
    return out


def _check_picklable(steps: tuple[Marker, ...]) -> None:
    """Raise ``ValueError`` when ``steps`` cannot reach spawned worker processes (pickled by reference)."""
    for s in steps:
        try:
            pickle.loads(pickle.dumps(s))
        except Exception as e:  # noqa: BLE001 - any pickling failure: say which step and what to do
            raise ValueError(f"the step {s.name!r} cannot be sent to worker processes ({type(e).__name__}: {e}); "
                             "on this platform workers are spawned, so define its class at the top level of an "
                             "importable module") from None


# --------------------------------------------------------------------------- one document

_LOCAL = threading.local()
#: Processors (compiled rules, step state) kept per thread for repeated calls with the same options and steps.
PROCESSOR_CACHE = 4


def _processor(options: Options, steps: tuple[Marker, ...]) -> "DocumentProcessor":
    from .engines.document_work import DocumentProcessor
    cache: dict[Any, tuple[tuple[Marker, ...], DocumentProcessor]] = getattr(_LOCAL, "cache", None) or {}
    _LOCAL.cache = cache
    key = (json.dumps(options.to_dict(), sort_keys=True), tuple(id(s) for s in steps))
    hit = cache.get(key)
    if hit is not None:
        return hit[1]
    proc = DocumentProcessor(options, steps)
    proc.first_step = None   # no corpus step here: nothing to fingerprint
    while len(cache) >= PROCESSOR_CACHE:
        cache.pop(next(iter(cache)))
    cache[key] = (steps, proc)   # the steps are kept alive with their ids
    return proc


def _options(options: Options | None) -> Options:
    """``options`` (default ``Options()``) checked as the command line checks its flags
    (:func:`cleaner.config.check_options`: :class:`~cleaner.config.OptionError`, a ``ValueError``
    naming the option)."""
    if options is None:
        return Options()
    if not isinstance(options, Options):
        raise TypeError(f"options must be a cleaner.Options, not {type(options).__name__}")
    return check_options(options)


def _clean_one(raw: Any, options: Options | None, steps: Marker | Iterable[Marker] | None) -> Document:
    opts = _options(options)
    marks = check_steps(steps)
    if opts.doc_timeout_s and threading.current_thread() is not threading.main_thread():
        opts = dataclasses.replace(opts, doc_timeout_s=0)   # the time limit is SIGALRM: main thread only
    proc = _processor(opts, marks)
    out = proc(raw)
    if out.reject is not None:
        raise CleanError(out.reject["error"], out.reject["kind"])
    doc = out.doc
    assert doc is not None
    for step in proc.pipeline.final_steps:   # the minimum-length filter, as the final pass applies it
        step(doc)
    return doc


def clean_html(html: bytes | str, url: str | None = None, options: Options | None = None,
               steps: Marker | Iterable[Marker] | None = None) -> Document:
    """Clean one HTML page in memory: extract its main content, run the per-document markers
    (chrome rules, title, in-page duplicates, then ``steps``), filter by length.

    No corpus step runs (site templates and duplicate documents need a corpus: see
    :func:`run`). ``html``: the page as bytes (its encoding is detected from the bytes and
    ``<meta>``) or str. ``url`` is kept on the document (its ``id`` too; ``""`` without it).
    Without ``url``, the page's own canonical link or ``og:url`` (absolute http(s) only) is
    taken, as the command line takes it for a page file.
    ``options``: :class:`cleaner.Options` (default ``Options()``); the options about
    extraction, rules, in-page duplicates, ``min_doc_chars`` and ``doc_timeout_s`` (seconds;
    applied in the main thread only) matter here.

    Returns the :class:`cleaner.Document`: ``text`` the extracted text, ``removed`` the
    spans into it, ``clean_text`` the result, ``dropped`` ``None`` or why it would be
    dropped. Raises ``TypeError`` for ``html`` of another type or bad ``steps``,
    :class:`cleaner.config.OptionError` (a ``ValueError`` naming the option) for an option
    of the wrong type or out of its range (as the command line refuses it),
    :class:`CleanError` when the page cannot be processed (``kind`` says why), and
    :class:`cleaner.rules.engine.RuleError` for an unusable rules file.
    """
    from .io.records import RawRecord
    if not isinstance(html, (bytes, bytearray, str)):
        raise TypeError(f"html must be bytes or str, not {type(html).__name__}")
    html = bytes(html) if isinstance(html, bytearray) else html
    if url is None:
        from .io.canonical import declared_url
        url = declared_url(html)
    return _clean_one(RawRecord(url or "", url, "<html>", 0, html=html, kind="html"), options, steps)


def clean_text(text: str, url: str | None = None, options: Options | None = None,
               steps: Marker | Iterable[Marker] | None = None) -> Document:
    """Clean one already-extracted text in memory, as :func:`clean_html` does after extraction.

    ``text``: str (one block per line; blank lines separate paragraphs). Returns the
    :class:`cleaner.Document` with ``text`` the text given. Raises ``TypeError`` for a
    non-str ``text`` or bad ``steps``, :class:`cleaner.config.OptionError` for a bad option
    value (as :func:`clean_html`), :class:`CleanError` when it cannot be processed.
    """
    from .io.records import RawRecord
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    return _clean_one(RawRecord(url or "", url, "<text>", 0, text=text, kind="text"), options, steps)


# --------------------------------------------------------------------------- a corpus


def _paths(inputs: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(inputs, (str, os.PathLike)):
        return [os.fspath(inputs)]
    out = [os.fspath(p) for p in inputs]
    if not out:
        raise ValueError("inputs is empty: give at least one file or folder")
    return out


def run_corpus(inputs: PathLike | Sequence[PathLike], outdir: PathLike | None, options: Options | None = None,
               steps: Marker | Iterable[Marker] | None = None) -> "RunResult":
    """What ``cleaner clean`` runs (the command line calls this): the engine ``options.engine``
    names over ``inputs``, written to ``outdir``; returns the :class:`cleaner.engines.local.run.RunResult`.

    ``outdir=None`` (local engine only) writes nothing and keeps the clean texts in
    ``RunResult.clean_texts``. Progress bars show only when standard error is a terminal.
    Raises what :func:`run` raises (:class:`~cleaner.engines.totals.StepFailureError` too, after
    writing everything, when a step failed on too many records).
    """
    from .errors import RunError
    opts = _options(options)
    if opts.keep_languages:
        from .page.language import check_languages
        check_languages(opts.keep_languages)  # a code no document can have would drop them all
    marks = check_steps(steps)
    paths = _paths(inputs)
    out = None if outdir is None else os.fspath(outdir)
    if opts.progress and not sys.stderr.isatty():
        opts = dataclasses.replace(opts, progress=False)
    from .engines.totals import check_step_failures
    if opts.engine == "ray":
        if out is None:
            raise RunError("--engine ray writes shards: give -o OUTDIR (a local folder or s3://bucket/prefix)")
        from .engines.ray.engine import run_ray
        result = run_ray(paths, opts, out, marks)
    else:
        if marks and out is not None and not sys.platform.startswith("linux"):
            _check_picklable(marks)   # the pool forks on Linux only, else spawns (see cleaner.engines.local.run.WorkerPool)
        from .engines.local.run import run as run_local
        result = run_local(paths, opts, out, steps=marks)
    check_step_failures(result.report)   # both engines: raises after everything is written
    return result


def run(inputs: PathLike | Sequence[PathLike], outdir: PathLike, options: Options | None = None,
        steps: Marker | Iterable[Marker] | None = None) -> dict[str, Any]:
    """Clean a corpus exactly as ``cleaner clean INPUTS -o OUTDIR`` does; returns the report.

    ``inputs``: a file or folder, or a list of them (HTML, text, JSONL, WARC, Parquet;
    optionally .gz/.zst). ``outdir``: the output folder (``s3://...`` too with Ray): it
    gets ``clean-*``, ``dropped-*``, ``rejects-*`` shards, ``report.json`` and
    ``report.html``; a run into the folder of an interrupted run with the same inputs,
    options and steps resumes it. ``options``: :class:`cleaner.Options` (default
    ``Options()``: every core, local engine). ``steps``: user :class:`cleaner.Marker`
    instances run after the built-in markers.

    Returns the content of ``report.json`` (a dict: ``documents`` counts ``in``,
    ``clean``, ``dropped``, ``rejected``; ``characters``; ``seconds_by_step``; ...).
    Raises ``TypeError``/``ValueError`` for bad arguments or steps,
    :class:`cleaner.config.OptionError` (a ``ValueError`` naming the option) for an option
    value the command line would refuse,
    :class:`cleaner.io.readers.InputError` for a missing or unknown input,
    :class:`cleaner.rules.engine.RuleError` for a bad rules file,
    :class:`cleaner.engines.local.run.RunError` when the output folder cannot be used or Ray is
    missing or unreachable, ``OSError`` for a failed write, ``KeyboardInterrupt`` on
    Ctrl-C (the run resumes when started again), and
    :class:`cleaner.engines.totals.StepFailureError` (a ``RunError``; ``.report`` is the
    report) when a step (yours or a built-in one) raised on more than
    ``options.max_step_failure_share`` of the records, after every output and
    ``report.json`` are written. Each record a step failed on is in the rejects files
    (kind ``step-failed``, the error naming the step); any such failure, and ids used by
    more than one record, are also in the report's ``warnings`` and raised here as
    ``RuntimeWarning``.
    """
    if outdir is None:
        raise ValueError("run needs an output folder; to clean one page in memory use clean_html or clean_text")
    import warnings
    from .engines.totals import StepFailureError
    try:
        report = run_corpus(inputs, outdir, options, steps).report
    except StepFailureError as e:   # the warnings first, as for a run that completes
        for w in e.report.get("warnings") or ():
            warnings.warn(f"cleaner.run: {w}", RuntimeWarning, stacklevel=2)
        raise
    for w in report.get("warnings") or ():
        warnings.warn(f"cleaner.run: {w}", RuntimeWarning, stacklevel=2)
    return report
