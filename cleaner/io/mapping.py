"""A JSON object or a table row as a record: the configured fields, the rest kept JSON-ready.

Used by the JSON Lines reader (:mod:`cleaner.io.readers`) and the table readers
(:mod:`cleaner.io.tables`: Parquet, Arrow datasets).
"""
from __future__ import annotations

import base64
import datetime
import decimal
import math
import re
from typing import Any

from ..config import Options
from .records import NO_TEXT, NOT_OBJECT, TOO_LARGE, RawRecord, ReadError


_SURROGATE = re.compile("[\ud800-\udfff]")


def fix_surrogates(s: str) -> str:
    """``s`` with lone UTF-16 surrogates (valid in JSON escapes, not encodable as UTF-8) replaced by U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)


def json_safe(value: Any) -> Any:
    """``value`` made JSON-ready: bytes as UTF-8 text (else ``base64:...``), dates as ISO 8601,
    decimals as text, non-finite floats as ``None``; dict keys become strings."""
    if isinstance(value, str):
        return fix_surrogates(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {fix_surrogates(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        b = bytes(value)
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(b).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def from_mapping(obj: Any, path: str, position: int, default_id: str, options: Options) -> RawRecord | ReadError:
    """A JSONL or Parquet row as a record: the configured fields, the rest kept in ``extra``.

    The HTML field wins over the text field when both hold a non-empty value. Returns a
    :class:`ReadError` for a non-object, a record without either field, or a field larger
    than ``max_input_bytes``.
    """
    if not isinstance(obj, dict):
        kind = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(obj), "null")
        return ReadError(path, position, f"record is a JSON {kind}, not an object", None, NOT_OBJECT)
    rid = obj.get(options.id_field)
    rid = default_id if rid is None or rid == "" else str(json_safe(rid))
    html, text, url = obj.get(options.html_field), obj.get(options.text_field), obj.get(options.url_field)
    url = fix_surrogates(url) if isinstance(url, str) and url else None
    own = (options.id_field, options.html_field, options.text_field, options.url_field)
    extra = {fix_surrogates(str(k)): json_safe(v) for k, v in obj.items() if k not in own}
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html)
    if isinstance(text, (bytes, bytearray)):
        from .decode import NotTextError, decode_text
        try:
            text = decode_text(bytes(text))
        except NotTextError as e:
            return ReadError(path, position, str(e), rid, e.kind)
    value = html if isinstance(html, (str, bytes)) and html else text if isinstance(text, str) else None
    if value is None:
        return ReadError(path, position, _no_text(obj, options), rid, NO_TEXT)
    if len(value) > options.max_input_bytes:
        return ReadError(path, position, f"record larger than max_input_bytes={options.max_input_bytes}; "
                         "raise --max-input-bytes to keep it", rid, TOO_LARGE)
    if value is html:
        return RawRecord(rid, url, path, position, html=fix_surrogates(html) if isinstance(html, str) else html, extra=extra)
    return RawRecord(rid, url, path, position, text=fix_surrogates(text).replace("\x00", ""), extra=extra)  # type: ignore[arg-type]


def _no_text(obj: dict, options: Options) -> str:
    """Why a record has nothing to clean: each of the two fields it has is null, empty or of
    another type (named), or it has neither (its fields listed, the options named)."""
    fields = f"(fields: {', '.join(map(str, list(obj)[:12]))})"
    held = [f for f in (options.html_field, options.text_field) if f in obj]
    if not held:
        return (f"record has no string field {options.html_field!r} or {options.text_field!r} {fields}; "
                "name the fields with --html-field / --text-field")
    what, other_type = [], False
    for f in held:
        v = obj[f]
        if v is None or isinstance(v, (str, bytes)):
            what.append(f"{f!r} is null" if v is None else f"{f!r} is empty")
        else:
            what.append(f"{f!r} is {_type_name(v)}, not a string")
            other_type = True
    hint = "; name the fields with --html-field / --text-field" if other_type else ""
    return f"record has no text to clean: {' and '.join(what)} {fields}{hint}"


def _type_name(v: Any) -> str:
    """A JSON-ish name of ``v``'s type: ``a number (int)``, ``an object``, ``a list``."""
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float, decimal.Decimal)):
        return f"a number ({type(v).__name__})"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, (list, tuple)):
        return "a list"
    return f"a {type(v).__name__}"
