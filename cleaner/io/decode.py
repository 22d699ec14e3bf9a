"""Bytes to text: a declared charset first (BOM, HTTP header, ``<meta>``), a guess only when none is declared.

Follows the WHATWG encoding-sniffing order (https://html.spec.whatwg.org/#determining-the-character-encoding):
byte-order mark, transport-layer charset, ``<meta charset>`` / ``http-equiv`` in the first
1024 bytes, then (for XHTML) the ``encoding`` of a leading XML declaration; labels are
mapped as browsers map them (``iso-8859-1`` and ``ascii`` mean windows-1252). A leading XML
declaration is removed from the decoded text (lxml refuses a ``str`` carrying one). Without a declaration, UTF-8 is tried strictly, then charset-normalizer guesses.

Control characters that XML 1.0 forbids (C0 except tab, line feed and carriage return)
are removed after decoding, never before (UTF-16 text is full of zero bytes): libxml2
takes NUL for the end of input, and a single backspace in a text node makes
trafilatura's tree serialisation fail so that the whole page comes out empty.
"""
from __future__ import annotations

import codecs
import re
from typing import NamedTuple

import regex

#: Bytes of the document head searched for a ``<meta>`` charset declaration (WHATWG prescan uses 1024).
META_SNIFF_BYTES = 4096

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META = regex.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", regex.I)
#: An XML declaration naming an encoding, at the very start of a page (XHTML): ``<?xml version="1.0" encoding="utf-8"?>``.
_XML_DECL_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9_:.\-]+)""")
#: Any XML declaration at the start of decoded text; lxml refuses a ``str`` that starts with one naming an
#: encoding ("Unicode strings with encoding declaration are not supported"), and an HTML parser drops it anyway.
_XML_DECL = re.compile(r"\s*<\?xml\b[^>]*>")
# Labels that browsers treat as another encoding (WHATWG Encoding Standard, "labels").
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252", "iso_8859-1": "cp1252",
            "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "shift-jis": "shift_jis",
            "x-sjis": "shift_jis", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874",
            "iso-8859-11": "cp874", "unicode": "utf-16-le", "utf-16": "utf-16-le"}


#: XML 1.0 forbids these code points; removed after decoding (form feed becomes a line break).
#: A character class for the standard library's ``re``: one C scan finds them (``str.translate``
#: with a mapping looks up every character in a dict, ~40 ms on a 200 kB page).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
#: Share of U+FFFD in a page declared UTF-8 up to which the declaration is still believed (a few stray bytes).
MAX_UTF8_REPLACEMENT_SHARE = 0.001

#: Reject kind of a page file whose bytes are not text (random bytes, a program, an image).
NOT_TEXT = "not-text"
#: Share of the decoded characters that may be C0 controls (other than tab, line feed, carriage
#: return, form feed), DEL or U+FFFD before a page is taken for binary data. Text has
#: next to none (terminal colour codes in a pasted log: a few %); random bytes decoded as
#: windows-1252 have about 13 %, a program far more.
MAX_CONTROL_SHARE = 0.05
#: Fewer such characters than this never make a page binary (a stray NUL, a terminal escape in prose).
MIN_CONTROL_CHARS = 5
#: Characters no text page holds in numbers: C0 controls but tab, LF, FF, CR; DEL; the replacement character.
_BINARY_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
#: Signatures at the start of common binary files (file-format magic numbers) and their names.
_MAGIC = ((b"\x7fELF", "an ELF executable"), (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF document"),
          (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"\x28\xb5\x2f\xfd", "zstd data"),
          (b"MZ", "a Windows executable"))


class NotTextError(ValueError):
    """The bytes of a page are not text (binary data); the message says why, for the rejects file."""

    kind = NOT_TEXT


def binary_magic(data: bytes) -> str | None:
    """The name of the binary file format ``data`` starts with (ELF, PNG, JPEG, GIF, PDF, ZIP, ...), or ``None``."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and b"This program cannot be run in DOS mode" not in data[:512]:
                continue  # "MZ" alone could start a text
            return name
    return None


def not_text_reason(text: str) -> str | None:
    """Why decoded ``text`` is binary data rather than a page, or ``None`` when it reads as text.

    Binary when at least :data:`MIN_CONTROL_CHARS` characters and more than
    :data:`MAX_CONTROL_SHARE` of all are C0 control characters (tab, line feed, carriage
    return and form feed excepted), DEL or U+FFFD. Runs on decoded text, so a UTF-16 page
    (zero bytes everywhere) is text.
    """
    if not text or not _BINARY_CHARS.search(text):
        return None
    n = len(_BINARY_CHARS.findall(text))
    if n < MIN_CONTROL_CHARS or n <= MAX_CONTROL_SHARE * len(text):
        return None
    return (f"looks like binary data: {100 * n / len(text):.0f} % control characters "
            f"(at most {100 * MAX_CONTROL_SHARE:.0f} % in text); not a text or HTML page")


def check_text(data: bytes, text: str) -> None:
    """Raise :class:`NotTextError` when page bytes ``data``, decoded as ``text``, are binary data."""
    magic = binary_magic(data)
    if magic:
        raise NotTextError(f"looks like binary data: starts like {magic}; not a text or HTML page")
    why = not_text_reason(text)
    if why:
        raise NotTextError(why)


def strip_control_chars(text: str) -> str:
    """``text`` made ready for lxml's HTML parser: without the control characters XML 1.0
    forbids (NUL, backspace, ...; form feed becomes ``\\n``) and without a leading XML
    declaration (see :func:`strip_xml_declaration`)."""
    text = strip_xml_declaration(text)
    if "\x0c" in text:
        text = text.replace("\x0c", "\n")
    return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text


def strip_xml_declaration(text: str) -> str:
    """``text`` without an XML declaration (``<?xml version="1.0" encoding="utf-8"?>``) at its start.

    The declaration says nothing once the bytes are decoded, an HTML parser drops it, and
    lxml raises ``ValueError`` for a ``str`` that starts with one naming an encoding, which
    would lose the whole page (XHTML pages of CMS and government sites start this way).
    """
    if "<?" not in text[:64]:
        return text
    m = _XML_DECL.match(text)
    return text[m.end():] if m else text


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
    """The charset the document declares, as a Python codec name, or ``None``.

    In this order: byte-order mark, ``http_charset``, ``<meta>`` in the first
    :data:`META_SNIFF_BYTES`, then the encoding of an XML declaration at the very start.
    """
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
    m = _XML_DECL_ENCODING.match(data[:200])  # XHTML: the XML declaration, when nothing else declares
    if m:
        enc = normalize_label(m.group(1).decode("ascii", "ignore"))
        if enc and not enc.startswith("utf-16"):
            return enc
    return None


class DecodedPage(NamedTuple):
    """Page bytes decoded (:func:`decode_page`): the text, the codec, and what the decoding knows of the text.

    ``utf8_source``: the page bytes when they were read as UTF-8 (``encoding == "utf-8"``), else
    ``None``; ``utf8_slice``: ``text`` is then one contiguous piece of those bytes decoded
    strictly (no byte replaced, no character removed inside it: only a byte-order mark or a
    leading XML declaration taken off).
    """

    text: str
    encoding: str
    utf8_source: bytes | None = None
    utf8_slice: bool = False


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec_name)``, control characters removed.

    A declared charset is honoured; bytes it cannot decode are replaced (never for a page
    that is really in the declared charset). A page declared UTF-8 whose bytes are not
    UTF-8 beyond a few stray bytes (a common CMS fault) is guessed instead. Undeclared
    pages are tried as strict UTF-8, then guessed by charset-normalizer, then read as
    windows-1252, which never fails. Raises :class:`NotTextError` for bytes that are not
    text (:func:`check_text`).
    """
    page = decode_page(data, http_charset)
    return page.text, page.encoding


def decode_page(data: bytes, http_charset: str | None = None) -> DecodedPage:
    """:func:`decode_html` with the facts of the decoding that save later scans (:class:`DecodedPage`)."""
    text, enc = _decode(data, http_charset)
    if enc == "utf-8" and _no_control_bytes(data) and "\ufffd" not in text and "\ufffe" not in text \
            and "\uffff" not in text:
        # Nothing for check_text's count or strip_control_chars' removal to find, known without
        # their two scans of the text (each about 0.3 ms on a 100 kB page): see _no_control_bytes.
        magic = binary_magic(data)
        if magic:
            raise NotTextError(f"looks like binary data: starts like {magic}; not a text or HTML page")
        return DecodedPage(strip_xml_declaration(text), enc, data, True)
    check_text(data, text)
    return DecodedPage(strip_control_chars(text), enc, data if enc == "utf-8" else None, False)


#: C0 control bytes other than tab, line feed and carriage return, and DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])


def _no_control_bytes(data: bytes) -> bool:
    """True when ``data`` holds none of :data:`_CONTROL_BYTES`.

    For bytes decoded as UTF-8 (strictly or with replacement) that means the text holds none
    of those characters: UTF-8 decoding turns each byte under 0x80 into that same character
    and never takes one into an invalid sequence it replaces. ``bytes.translate`` deletes
    in one C loop, several times faster than a regular-expression scan of the text.
    """
    return len(data.translate(None, _CONTROL_BYTES)) == len(data)


def _decode(data: bytes, http_charset: str | None) -> tuple[str, str]:
    enc = declared_charset(data, http_charset)
    if enc:
        text = data.decode(enc, "replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        # "in" first: a page without U+FFFD (nearly all) is not counted (a count is a slower scan)
        if enc != "utf-8" or "\ufffd" not in text or text.count("\ufffd") <= MAX_UTF8_REPLACEMENT_SHARE * len(text):
            return text, enc
    return _undeclared(data)


def _undeclared(data: bytes) -> tuple[str, str]:
    """``data`` decoded without a believable declaration: UTF-8 when it is valid, else the
    guess of charset_normalizer (windows-1252 when it is one of the guesses tied for best),
    else windows-1252."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        guesses = from_bytes(data[:200_000])
        best = guesses.best()
        if best is not None and best.encoding:
            enc = best.encoding
            # A tie (French in Latin-1: cp1250, cp1252, cp1257 and iso8859_10 all decode it with
            # no chaos and the same coherence) goes to windows-1252, the WHATWG default for a page
            # that declares nothing, not to the tie's first name ("crème" read as cp1250: "crčme").
            if enc != "cp1252" and any(m.encoding == "cp1252" and m.chaos == best.chaos
                                       and m.coherence == best.coherence for m in guesses):
                enc = "cp1252"
            return data.decode(enc, "replace"), enc
    except Exception:  # noqa: BLE001 - a failed guess falls back to windows-1252
        pass
    return data.decode("cp1252", "replace"), "cp1252"


def decode_text(data: bytes) -> str:
    """Decode a plain-text file: BOM, strict UTF-8, else a guess; NUL characters removed.

    Other control characters stay: plain text never goes through an XML parser, and
    ``cleaner explain`` shows them escaped. Raises :class:`NotTextError` for bytes that are
    not text (:func:`check_text`).
    """
    text = _decode(data, None)[0]
    check_text(data, text)
    return text.replace("\x00", "")
