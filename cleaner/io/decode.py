"""Bytes to text: a declared charset first (BOM, HTTP header, ``<meta>``), a guess only when none is declared.

Follows the WHATWG encoding-sniffing order (https://html.spec.whatwg.org/#determining-the-character-encoding):
byte-order mark, transport-layer charset, ``<meta charset>`` / ``http-equiv`` in the first
1024 bytes; labels are mapped as browsers map them (``iso-8859-1`` and ``ascii`` mean
windows-1252). Without a declaration, UTF-8 is tried strictly, then charset-normalizer guesses.
"""
from __future__ import annotations

import codecs

import regex

#: Bytes of the document head searched for a ``<meta>`` charset declaration (WHATWG prescan uses 1024).
META_SNIFF_BYTES = 4096

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META = regex.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", regex.I)
# Labels that browsers treat as another encoding (WHATWG Encoding Standard, "labels").
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252", "iso_8859-1": "cp1252",
            "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "shift-jis": "shift_jis",
            "x-sjis": "shift_jis", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874",
            "iso-8859-11": "cp874", "unicode": "utf-16-le", "utf-16": "utf-16-le"}


def normalize_label(label: str | None) -> str | None:
    """The Python codec for a charset label, or ``None`` when Python knows no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes, http_charset: str | None = None) -> str | None:
    """The charset the document declares, as a Python codec name, or ``None``."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    enc = normalize_label(http_charset)
    if enc:
        return enc
    m = _META.search(data[:META_SNIFF_BYTES])
    if m:
        enc = normalize_label(m.group(1).decode("ascii", "ignore"))
        # A page served as bytes cannot really be UTF-16 if it declares so in ASCII.
        if enc and not enc.startswith("utf-16"):
            return enc
    return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec_name)``.

    A declared charset is honoured; bytes it cannot decode are replaced (never for a page
    that is really in the declared charset). Undeclared pages are tried as strict UTF-8,
    then guessed by charset-normalizer, then read as windows-1252, which never fails.
    NUL bytes are removed: libxml2 takes them for the end of input.
    """
    data = data.replace(b"\x00", b"")
    enc = declared_charset(data, http_charset)
    if enc:
        text = data.decode(enc, "replace")
        if enc == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        if "\ufffd" not in text or enc != "utf-8":
            return text, enc
        # Declared UTF-8 but not UTF-8 (a common CMS fault): fall through to guessing.
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, "replace"), best.encoding
    except Exception:  # noqa: BLE001 - a failed guess falls back to windows-1252
        pass
    return data.decode("cp1252", "replace"), "cp1252"


def decode_text(data: bytes) -> str:
    """Decode a plain-text file: BOM, strict UTF-8, else a guess; NUL bytes removed."""
    text, _ = decode_html(data.replace(b"\x00", b""), None) if not data.startswith(codecs.BOM_UTF8) else (data[3:].decode("utf-8", "replace"), "utf-8")
    return text.replace("\x00", "")
