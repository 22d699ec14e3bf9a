"""The spool: what pass 1 makes of each input record (:class:`RecordResult`), kept between passes.

One JSON line per record, zstd-compressed (one or more frames), written atomically per
batch (temporary name, fsync, rename), so that a stopped run resumes from the batches that
were finished.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator, Sequence

from ..document import Document


@dataclass
class RecordResult:
    """What pass 1 makes of one input record: a document (with a fingerprint) or a reject."""

    doc: Document | None = None
    fingerprint: Any = None
    reject: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.reject is not None:
            return {"reject": self.reject}
        fp = self.fingerprint.tolist() if hasattr(self.fingerprint, "tolist") else self.fingerprint
        return {"doc": self.doc.to_json(), "fp": fp, "t": self.seconds}  # type: ignore[union-attr]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "RecordResult":
        if "reject" in d:
            return cls(reject=d["reject"])
        return cls(doc=Document.from_json(d["doc"]), fingerprint=d.get("fp"), seconds=d.get("t") or {})


def spool_frame(lines: list[bytes]) -> bytes:
    """Spool lines as one zstd frame; a spool file is its frames one after the other (made where
    the lines are, in the workers, so the driver only writes them)."""
    import zstandard
    return zstandard.ZstdCompressor(level=1).compress(b"".join(lines))


def write_spool(path: str, lines: Sequence[bytes] = (), frames: Sequence[bytes] = ()) -> None:
    """Write one batch's spool file atomically: temporary name, fsync, rename.

    ``lines``: spool lines, compressed here; ``frames``: lines already compressed by
    :func:`spool_frame`, written as they are (after those of ``lines``).
    """
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        if lines:
            raw.write(spool_frame(list(lines)))
        for frame in frames:
            raw.write(frame)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)


def read_spool(path: str) -> Iterator[RecordResult]:
    """The outcomes spooled in ``path`` by :func:`write_spool`, in order (one JSON line each)."""
    for d in read_spool_json(path):
        yield RecordResult.from_json(d)


def read_spool_json(path: str) -> Iterator[dict[str, Any]]:
    """The JSON objects of ``path``'s lines, in order: what :func:`read_spool` makes its outcomes of
    (:meth:`RecordResult.from_json`)."""
    with open(path, "rb") as raw:
        yield from _json_lines(raw)


def spool_json(frames: Sequence[bytes]) -> Iterator[dict[str, Any]]:
    """The JSON objects of the spool lines in ``frames`` (:func:`spool_frame`), read as
    :func:`read_spool_json` reads them from a spool file made of these frames."""
    return _json_lines(io.BytesIO(b"".join(frames)))


def _json_lines(raw: BinaryIO) -> Iterator[dict[str, Any]]:
    import zstandard
    with io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True), encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)
