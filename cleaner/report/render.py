"""HTML of one document with its removals highlighted in place, and the self-contained page shell.

Every piece of page text, rule id, detail, id and URL goes through :func:`esc`: pages are
hostile input. The page carries a Content-Security-Policy that allows no script and no
network load at all, so even a slip in escaping cannot fetch or run anything.
"""
from __future__ import annotations

import html

import regex

from ..document import Document
from .segments import kind_label, kind_of, pieces, removed_by_rule, similarity_note, visible

#: Colours of the kinds of removal: (strong colour for text and bars, light background).
KIND_COLOURS = {
    "chrome": ("#c62828", "#fde4e4"),
    "dup": ("#a35f00", "#fff0d0"),
    "site": ("#5e35b1", "#ece5fa"),
    "doc": ("#00796b", "#dcf2ef"),
    "extract": ("#1565c0", "#e3eefb"),
    "corpus": ("#2e7d32", "#e2f3e3"),
}
OTHER_COLOUR = ("#37474f", "#e8e8e8")
#: A duplicate's detail that names the offset of the kept copy, e.g. "repeats block at offset 40".
_OFFSET_REF = regex.compile(r"\boffset (\d+)\b")

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def esc(text: str) -> str:
    """HTML-escaped text (quotes included) with control characters made visible."""
    return html.escape(visible(text), quote=True)


def kind_class(rule_or_kind: str) -> str:
    """The CSS class of a rule's kind; unknown kinds share ``k-other`` (the prefix is data, not markup)."""
    k = kind_of(rule_or_kind)
    return f"k-{k}" if k in KIND_COLOURS else "k-other"


def kind_colour(rule_or_kind: str) -> str:
    """The strong colour of a rule's kind, as ``#rrggbb``."""
    return KIND_COLOURS.get(kind_of(rule_or_kind), OTHER_COLOUR)[0]


def _kind_css() -> str:
    out = []
    for k, (strong, light) in [*KIND_COLOURS.items(), ("other", OTHER_COLOUR)]:
        out.append(f".k-{k}{{background:{light};border-color:{strong}}}.k-{k} .tag{{background:{strong}}}"
                   f".k-{k} s{{text-decoration-color:{strong}}}.sw.k-{k}{{background:{strong}}}")
    return "".join(out)


STYLE = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2329;
 background:#f6f7f9;margin:0;padding:24px 32px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dde3;padding-bottom:4px}
h3{font-size:14px;margin:14px 0 6px}
.sub{color:#5b6670;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{background:#fff;border:1px solid #dde2e7;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}.card span{color:#5b6670;font-size:12px}
.panel{background:#fff;border:1px solid #dde2e7;border-radius:6px;padding:12px 16px;margin:10px 0;overflow-x:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{color:#5b6670;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.doc{white-space:pre-wrap;overflow-wrap:anywhere;font-family:Georgia,"DejaVu Serif",serif;font-size:14px;
 background:#fff;border:1px solid #dde2e7;border-radius:6px;padding:12px 14px;margin:0;max-height:560px;overflow:auto}
.doc.full{max-height:none}
.rm{border-left:3px solid;border-radius:3px;padding:0 2px}
.rm s{text-decoration-thickness:1px;color:#4a4f55}
.tag{display:inline-block;color:#fff;font:600 11px/1.5 "DejaVu Sans Mono",Menlo,Consolas,monospace;border-radius:3px;
 padding:0 5px;margin-right:4px;white-space:normal}
.tag a{color:#fff}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0;font-size:13px}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:5px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:12px}.side h4{margin:4px 0;font-size:13px;color:#5b6670}
.drop{border-left:4px solid #00796b;background:#e9f6f4;padding:8px 12px;border-radius:4px}
.muted{color:#5b6670}
""" + _kind_css()


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML page: inline style, no script, no external resource."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def _detail_html(detail: str, prefix: str, text_len: int) -> str:
    """The detail of a span, its "offset N" turned into a link to the kept copy."""
    m = _OFFSET_REF.search(detail)
    if not m or int(m.group(1)) >= text_len:
        return esc(detail)
    return (esc(detail[:m.start()]) + f"<a href=\"#{prefix}o{int(m.group(1))}\">" + esc(m.group()) + "</a>"
            + esc(detail[m.end():]))


def referenced_offsets(doc: Document) -> set[int]:
    """Offsets named in span details ("repeats block at offset 40"): where the kept copies start."""
    out = set()
    for s in doc.removed:
        m = _OFFSET_REF.search(s.detail)
        if m and int(m.group(1)) < len(doc.text):
            out.add(int(m.group(1)))
    return out


def document_html(doc: Document, prefix: str = "") -> str:
    """The document's text as HTML, each removed piece struck out in its kind's colour.

    A removed piece starts with a tag naming its rule and detail (a link to the kept copy
    when the detail names its offset); ``prefix`` keeps element ids unique when a page
    shows several documents. Goes inside an element styled ``white-space: pre-wrap``.
    """
    refs = referenced_offsets(doc)
    out = []
    for p in pieces(doc, refs):
        if p.start in refs:
            out.append(f"<a id=\"{prefix}o{p.start}\"></a>")
        text = esc(doc.text[p.start:p.end])
        if p.span is None:
            out.append(text)
            continue
        s = p.span
        title = f"{kind_label(kind_of(s.rule))}: {s.rule}" + (f": {s.detail}" if s.detail else "")
        if p.also:
            title += "; also " + ", ".join(sorted({o.rule for o in p.also}))
        tag = esc(s.rule) + (" · " + _detail_html(s.detail, prefix, len(doc.text)) if s.detail else "")
        out.append(f"<span class=\"rm {kind_class(s.rule)}\" title=\"{esc(title)}\">"
                   f"<span class=\"tag\">{tag}</span><s>{text}</s></span>")
    return "".join(out)


def legend_html(rules: list[str]) -> str:
    """Colour swatches of the kinds present among ``rules`` (all kinds when empty)."""
    kinds = sorted({kind_of(r) for r in rules}) or list(KIND_COLOURS)
    return "<div class=\"legend\">" + "".join(
        f"<span><span class=\"sw {kind_class(k)}\"></span>{esc(kind_label(k))}</span>" for k in kinds) + "</div>"


def rule_table_html(doc: Document, descriptions: dict[str, str] | None = None) -> str:
    """A table of the rules that removed text from ``doc``: spans, characters, description."""
    rows = removed_by_rule(doc)
    if not rows:
        return "<p class=\"muted\">Nothing was removed from this document.</p>"
    descriptions = {r: d for r, d in (descriptions or {}).items() if r in rows and d}
    body = "".join(
        f"<tr><td><span class=\"sw {kind_class(r)}\"></span><code>{esc(r)}</code></td>"
        f"<td>{esc(kind_label(kind_of(r)))}</td><td class=\"n\">{n}</td><td class=\"n\">{c:,}</td>"
        + (f"<td>{esc(descriptions.get(r, ''))}</td>" if descriptions else "") + "</tr>" for r, (n, c) in rows.items())
    return ("<table><tr><th>rule</th><th>kind</th><th>spans</th><th>characters</th>"
            + ("<th>what it removes</th>" if descriptions else "") + "</tr>" + body + "</table>")


def drop_html(doc: Document) -> str:
    """Why a dropped document goes and which document was kept instead (empty when kept)."""
    if doc.dropped is None:
        return ""
    d = doc.drop_detail or {}
    extra = []
    if d.get("duplicate_of") is not None:
        extra.append(f"kept instead: <code>{esc(str(d['duplicate_of']))}</code>")
    note = similarity_note(doc.dropped, d.get("similarity"))
    if note:
        extra.append(esc(note))
    for k, v in sorted(d.items()):
        if k not in ("duplicate_of", "similarity"):
            extra.append(f"{esc(str(k))}: {esc(str(v))}")
    return (f"<p class=\"drop\"><b>Dropped: {esc(doc.dropped)}</b>"
            + ("<br>" + "; ".join(extra) if extra else "") + "</p>")
