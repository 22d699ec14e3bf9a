"""Pass 1 for one record, the same on both engines: decode, extract, run the per-document
steps, and the first corpus step's fingerprint; a record that fails becomes a rejects record.

One :class:`DocumentProcessor` lives in each worker process (local pool) or Ray task; it
holds the compiled rules and step state of that process only.
"""
from __future__ import annotations

import signal
import time
from typing import Any, Iterable

from ..config import Options
from ..document import Document
from ..errors import BAD_HTML, FAILED, NO_MEMORY, REGEX_TIMEOUT, TIMEOUT, TOO_DEEP, RecordTimeout
from ..extract.main_content import ExtractionError
from ..io.decode import NotTextError
from ..io.readers import RawRecord, ReadError
from ..pipeline import build_pipeline
from ..steps import Marker
from .spool import RecordResult
from .totals import STEP_FAILED_KIND as STEP_FAILED, step_failed_message


def reject_record(source: str, position: int, error: str, rid: str | None = None, kind: str = FAILED) -> dict[str, Any]:
    """The rejects-file record: where the input was (file, line or record number; -1 for the
    unread rest of a file), its id when known, the short kind of reason, and the message."""
    return {"source": source, "position": position, "id": rid, "kind": kind, "error": error}


class RecordAlarm:
    """A per-record time limit using ``SIGALRM`` (main thread of a process only)."""

    def __init__(self, seconds: float):
        self.seconds = seconds if seconds > 0 and hasattr(signal, "setitimer") else 0

    def _fire(self, *_: Any) -> None:
        raise RecordTimeout()

    def __enter__(self) -> None:
        if self.seconds:
            self.prev = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.prev)


class StepFailed(Exception):
    """A per-document step raised an exception of its own (its message names the step)."""


#: Exceptions a step raises that the record's reject names by kind (time-outs, bad input), not by step.
PASSED_ON = (RecordTimeout, TimeoutError, RecursionError, MemoryError, NotTextError, ExtractionError)


#: Drop reason of an input record that holds nothing but white space.
EMPTY_RECORD = "empty record"


class DocumentProcessor:
    """Pass 1 for one record: decode, extract, run the markers, fingerprint for the first corpus step.

    One instance lives in each worker process; it holds the compiled rules and step state
    of that process only. ``steps``: a user's own markers (``cleaner.run(..., steps=)``),
    run after the built-in ones.
    """

    def __init__(self, options: Options, steps: Iterable[Marker] = ()):
        self.options = options
        self.pipeline = build_pipeline(options, steps)
        corpus_steps = self.pipeline.corpus_steps()
        #: The first corpus step, fingerprinted here (``None``: fingerprints come later, from the spool).
        self.first_step = corpus_steps[0] if corpus_steps else None

    @property
    def stage_seconds(self) -> dict[str, float] | None:
        """When a dict, extraction adds its seconds by stage here (``benchmarks/throughput.py``)."""
        return self.pipeline.extract.stage_seconds

    @stage_seconds.setter
    def stage_seconds(self, value: dict[str, float] | None) -> None:
        self.pipeline.extract.stage_seconds = value

    @staticmethod
    def new_document(raw: RawRecord) -> Document:
        """The document of one input record, holding the record until the extraction step has used it.

        A record with nothing but white space (an empty file, a JSONL line whose text is ``""``)
        is dropped at once with the reason :data:`EMPTY_RECORD`, not taken for a page whose
        extraction found no main content.
        """
        dropped = raw.dropped
        if dropped is None:
            content = raw.html if raw.html is not None else raw.text
            if content is None or not content.strip():
                dropped = EMPTY_RECORD
        doc = Document(raw.id, raw.url, "", None, dict(raw.extra), dropped=dropped)
        doc.provenance = raw.provenance()
        if dropped is None:
            doc.raw = raw
        return doc

    def __call__(self, raw: RawRecord | ReadError) -> RecordResult:
        if isinstance(raw, ReadError):
            return RecordResult(reject=reject_record(raw.source, raw.position, raw.error, raw.id, raw.kind))
        times: dict[str, float] = {}
        try:
            with RecordAlarm(self.options.doc_timeout_s):
                doc = self.new_document(raw)
                for step in self.pipeline.document_steps:   # extraction, language, markers, a user's markers, filters
                    if doc.dropped is not None:
                        break
                    try:
                        seconds = step(doc)
                    except PASSED_ON:
                        raise
                    except Exception as e:  # noqa: BLE001 - named below, then rejected as any failure
                        raise StepFailed(step_failed_message(step.name, e)) from e
                    times[step.name] = times.get(step.name, 0.0) + seconds
                fp = None
                if self.first_step is not None and doc.dropped is None:
                    t0 = time.perf_counter()
                    fp = self.first_step.fingerprint(doc)
                    times[self.first_step.name] = time.perf_counter() - t0
        except RecordTimeout:
            return self._reject(raw, f"took longer than doc_timeout_s={self.options.doc_timeout_s} s; "
                                     "raise --doc-timeout-s to keep such records", TIMEOUT)
        except TimeoutError as e:
            return self._reject(raw, f"a regular expression timed out (regex_timeout_s={self.options.regex_timeout_s}): "
                                     f"{e}; fix that rule's pattern (catastrophic backtracking?) or switch it off "
                                     "with --disable-rules ID", REGEX_TIMEOUT)
        except RecursionError:
            return self._reject(raw, "document nested too deeply to process", TOO_DEEP)
        except NotTextError as e:
            return self._reject(raw, str(e), e.kind)
        except ExtractionError as e:
            return self._reject(raw, str(e), BAD_HTML)
        except MemoryError:
            return self._reject(raw, "out of memory on this record; lower --max-input-bytes or use fewer --workers", NO_MEMORY)
        except StepFailed as e:
            return self._reject(raw, str(e), STEP_FAILED)
        except Exception as e:  # noqa: BLE001 - one broken record must not stop the batch
            return self._reject(raw, f"{type(e).__name__}: {e}", FAILED)
        return RecordResult(doc=doc, fingerprint=fp, seconds=times)

    @staticmethod
    def _reject(raw: RawRecord, error: str, kind: str) -> RecordResult:
        return RecordResult(reject=reject_record(raw.source, raw.position, error, raw.id, kind))

