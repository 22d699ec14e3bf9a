"""``report.html``: what a run removed and why, as one self-contained page beside ``report.json``.

Sections: totals; characters removed by kind and by rule, and left out by extraction by
reason; documents dropped and why; records rejected by kind with the first examples;
duplicate cluster sizes; the hosts with the most template text; throughput; a sample of
documents before and after, removals highlighted; the options in force. Charts are
inline SVG (:mod:`.svg`), the page has no script and loads nothing (:mod:`.render`).
Every field is read with a default, so a report from an older or newer ``report.json``
shape still renders.
"""
from __future__ import annotations

import os
from typing import Any

from ..document import Document, apply_spans
from ..extract.removals import with_left_out
from .segments import kind_label, kind_of
from .render import KIND_COLOURS, document_html, drop_html, esc, kind_colour, legend_html, page, rule_table_html
from .svg import Bar, bar_chart

#: Bars drawn at most per chart (the rest are summed into one "other" bar).
MAX_BARS = 20
#: Characters of a sample document shown before and after cleaning.
MAX_SAMPLE_CHARS = 20_000
#: Rows of the dropped-documents table.
MAX_DROPPED_ROWS = 20


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` as UTF-8 via a temporary file and a rename (lone surrogates become U+FFFD)."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", errors="replace", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_report_html(path: str, report: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    """Write the run report ``report`` (the dict of ``report.json``) as HTML to ``path``.

    ``samples`` are :meth:`Document.to_json` dicts of documents that had removals; each is
    shown before (removals struck out in place, with rule and detail) and after cleaning.
    Raises ``OSError`` when ``path`` cannot be written.
    """
    write_text_atomic(path, report_html(report, samples))


def report_html(report: dict[str, Any], samples: list[dict[str, Any]]) -> str:
    """The report page as a string (see :func:`write_report_html`)."""
    body = [_header(report), _removed(report), _dropped(report), _rejects(report), _clusters(report), _templates(report),
            _throughput(report), _samples(samples), _options(report)]
    return page("cleaner report", "\n".join(body))


# --------------------------------------------------------------------------- helpers


def _num(x: Any) -> float:
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else 0


def _top(items: dict[str, Any], colour, unit_other: str = "other") -> list[Bar]:
    """Bars for the largest values of ``items``, the rest summed into one bar."""
    ranked = sorted(((str(k), _num(v)) for k, v in items.items()), key=lambda kv: (-kv[1], kv[0]))
    bars = [Bar(k, v, colour(k)) for k, v in ranked[:MAX_BARS]]
    rest = ranked[MAX_BARS:]
    if rest:
        bars.append(Bar(f"{len(rest)} {unit_other}", sum(v for _, v in rest), "#90a4ae"))
    return bars


def _card(value: str, label: str) -> str:
    return f"<div class=\"card\"><b>{esc(value)}</b><span>{esc(label)}</span></div>"


def _section(title: str, anchor: str, *parts: str) -> str:
    return f"<section id=\"{anchor}\"><h2>{esc(title)}</h2>" + "".join(parts) + "</section>"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table of already-escaped cells; columns in ``numeric`` align right."""
    th = "".join(f"<th>{h}</th>" for h in head)
    num = ' class="n"'
    body = "".join("<tr>" + "".join(f"<td{num if i in numeric else ''}>{c}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


# --------------------------------------------------------------------------- sections


def _header(rep: dict[str, Any]) -> str:
    d = rep.get("documents") or {}
    c = rep.get("characters") or {}
    run = rep.get("run") or {}
    cin, cout = _num(c.get("in")), _num(c.get("out"))
    removed = f"{(1 - cout / cin) * 100:.1f}%" if cin else "–"
    inputs = ", ".join(str(i) for i in rep.get("inputs") or [])
    cards = [
        _card(f"{_num(d.get('in')):,}", "records in"),
        _card(f"{_num(d.get('clean')):,}", "clean documents"),
        _card(f"{_num(d.get('dropped')):,}", "documents dropped"),
        _card(f"{_num(d.get('rejected')):,}", "records rejected"),
        _card(f"{cin:,} → {cout:,}", "characters in → out"),
        _card(removed, "of extracted characters removed (cut spans and dropped documents)"),
        _card(f"{_num(run.get('documents_per_second')):,.1f}/s", f"records per second ({_num(run.get('seconds')):.1f} s)"),
    ]
    return (f"<header><h1>cleaner report</h1><p class=\"sub\">cleaner {esc(str(rep.get('cleaner_version', '?')))}"
            f" · inputs: <span class=\"mono\">{esc(inputs)}</span></p>"
            f"<div class=\"cards\">{''.join(cards)}</div>{_warnings(rep)}</header>")


def _warnings(rep: dict[str, Any]) -> str:
    """The run's error (it failed) and warnings (ids used twice, steps that failed), one line each; ``""`` without any."""
    lines = ([f"<p><b>The run failed:</b> {esc(str(rep['error']))}</p>"] if rep.get("error") else [])
    lines += [f"<p>Warning: {esc(str(w))}</p>" for w in rep.get("warnings") or ()]
    return f"<div class=\"panel reject\" id=\"warnings\">{''.join(lines)}</div>" if lines else ""


def _removed(rep: dict[str, Any]) -> str:
    by_rule = (rep.get("characters") or {}).get("removed_by_rule") or {}
    by_kind: dict[str, float] = {}
    for rule, n in by_rule.items():
        k = kind_of(str(rule))
        by_kind[k] = by_kind.get(k, 0) + _num(n)
    kind_bars = [Bar(kind_label(k), v, kind_colour(k), k) for k, v in
                 sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))]
    total = sum(by_kind.values())
    by_extraction = (rep.get("characters") or {}).get("removed_by_extraction") or {}
    left_out = sum(_num(v) for v in by_extraction.values())
    extraction = ""
    if by_extraction:
        extraction = (f"<div class=\"panel\" id=\"left-out\"><h3>Left out by extraction, by reason</h3>"
                      f"<p class=\"muted\">{left_out:,.0f} characters of the HTML pages were left out by extraction "
                      "(pruned before it, or not selected by it), before any rule ran.</p>"
                      f"{bar_chart(_top(by_extraction, kind_colour, 'more reasons'), 'Characters left out by extraction, by reason', 'chars')}</div>")
    return _section(
        "Characters removed", "removed",
        legend_html(list(by_rule) + list(by_extraction)) if by_rule or by_extraction else "",
        f"<p class=\"muted\">{total:,.0f} characters removed by rules, in clean and dropped documents alike"
        + (f"; {left_out:,.0f} more left out by extraction.</p>" if by_extraction else ".</p>"),
        "<div class=\"grid\">",
        f"<div class=\"panel\"><h3>By kind</h3>{bar_chart(kind_bars, 'Characters removed by kind', 'chars')}</div>",
        f"<div class=\"panel\"><h3>By rule</h3>{bar_chart(_top(by_rule, kind_colour, 'more rules'), 'Characters removed by rule', 'chars')}</div>",
        extraction, "</div>")


def _dropped(rep: dict[str, Any]) -> str:
    reasons = rep.get("dropped_by_reason") or {}
    parts = [f"<div class=\"panel\">{bar_chart(_top(reasons, lambda _: KIND_COLOURS['doc'][0], 'more reasons'), 'Documents dropped by reason', 'docs')}</div>"]
    examples = rep.get("dropped_examples") or []
    if examples:
        rows = []
        for e in examples[:MAX_DROPPED_ROWS]:
            e = e if isinstance(e, dict) else {}
            sim = e.get("similarity")
            rows.append([f"<code>{esc(str(e.get('id', '')))}</code>", esc(str(e.get("reason", ""))),
                         f"<code>{esc(str(e.get('duplicate_of', '')))}</code>" if e.get("duplicate_of") is not None else "",
                         esc(str(sim)) if sim is not None else "", esc(str(e.get("url") or ""))])
        parts.append("<div class=\"panel\"><h3>First dropped documents</h3>"
                     + _table(["document", "reason", "kept instead", "similarity", "url"], rows, {3}) + "</div>")
    return _section("Documents dropped", "dropped", *parts)


def _rejects(rep: dict[str, Any]) -> str:
    kinds = rep.get("rejected_by_kind") or {}
    if not kinds:
        return _section("Records rejected", "rejects", "<p class=\"muted\">No record was rejected.</p>")
    examples = [e for e in rep.get("rejected_examples") or [] if isinstance(e, dict)]
    parts = ["<p class=\"muted\">Records that could not be read or processed; each is in the rejects files "
             "with its source, position and error.</p>"]
    for kind, n in sorted(kinds.items(), key=lambda kv: (-_num(kv[1]), str(kv[0]))):
        rows = [[f"<span class=\"mono\">{esc(str(e.get('source', '')))}</span>", esc(str(e.get("position", ""))),
                 f"<code>{esc(str(e.get('id') or ''))}</code>", esc(str(e.get("error", "")))]
                for e in examples if e.get("kind") == kind]
        parts.append(f"<div class=\"panel reject-kind\" data-kind=\"{esc(str(kind))}\"><h3><code>{esc(str(kind))}</code>: "
                     f"{_num(n):,} record{'s' if _num(n) != 1 else ''}</h3>"
                     + (_table(["source", "position", "id", "error"], rows, {1}) if rows else "") + "</div>")
    return _section("Records rejected", "rejects", *parts)


def _clusters(rep: dict[str, Any]) -> str:
    parts = []
    for name, st in (rep.get("corpus_steps") or {}).items():
        sizes = (st or {}).get("cluster_sizes")
        if not isinstance(sizes, dict):
            continue
        ordered = sorted(((int(k), _num(v)) for k, v in sizes.items() if str(k).isdigit()))
        bars = [Bar(f"{k} documents", v, KIND_COLOURS["doc"][0]) for k, v in ordered]
        facts = ", ".join(f"{esc(k.replace('_', ' '))}: {esc(str(v))}" for k, v in st.items()
                          if k in ("clusters", "largest_cluster", "dropped", "bands", "rows"))
        parts.append(f"<div class=\"panel\"><h3>{esc(name)}</h3><p class=\"muted\">{facts}</p>"
                     f"{bar_chart(bars, f'{name}: clusters by size', 'clusters')}</div>")
    if not parts:
        parts.append("<p class=\"muted\">No duplicate step reported clusters.</p>")
    return _section("Duplicate clusters", "clusters",
                    "<p class=\"muted\">How many clusters of each size; each cluster keeps one document.</p>",
                    "<div class=\"grid\">", *parts, "</div>")


def _templates(rep: dict[str, Any]) -> str:
    hosts = (rep.get("characters") or {}).get("template_by_host") or {}
    colour = KIND_COLOURS["site"][0]
    return _section("Hosts with the most template text", "templates",
                    f"<div class=\"panel\">{bar_chart(_top(hosts, lambda _: colour, 'more hosts'), 'Template characters by host', 'chars')}</div>")


def _throughput(rep: dict[str, Any]) -> str:
    run = rep.get("run") or {}
    facts = [[esc(k.replace("_", " ")), esc(f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v))]
             for k, v in run.items()]
    secs = rep.get("seconds_by_step") or {}
    steps = rep.get("corpus_steps") or {}
    step_rows = [[esc(n), *(esc(f"{_num((s or {}).get(k)):,}") for k in ("spans", "dropped", "index_bytes")),
                  esc(f"{_num((s or {}).get('index_bytes_per_document')):,.1f}")]
                 for n, s in steps.items()]
    return _section(
        "Throughput", "throughput", "<div class=\"grid\">",
        f"<div class=\"panel\"><h3>Run</h3>{_table(['', ''], facts, {1})}</div>",
        f"<div class=\"panel\"><h3>Seconds by step</h3>{bar_chart(_top(secs, lambda _: '#0277bd', 'more steps'), 'Seconds by step', 's')}"
        "<p class=\"muted\">Summed over worker processes, so it can exceed the run's wall-clock time.</p></div>",
        "</div>",
        "<div class=\"panel\"><h3>Corpus steps</h3>"
        + _table(["step", "spans marked", "documents dropped", "index bytes", "index bytes per document"],
                 step_rows, {1, 2, 3, 4}) + "</div>" if step_rows else "")


def _truncated(doc: Document) -> tuple[Document, int]:
    """The document cut to :data:`MAX_SAMPLE_CHARS` and the number of characters left out."""
    n = len(doc.text)
    if n <= MAX_SAMPLE_CHARS:
        return doc, 0
    short = Document(doc.id, doc.url, doc.text[:MAX_SAMPLE_CHARS], doc.title, doc.metadata,
                     [s for s in doc.removed if s.start < MAX_SAMPLE_CHARS], doc.dropped, doc.drop_detail)
    return short, n - MAX_SAMPLE_CHARS


def _samples(samples: list[dict[str, Any]]) -> str:
    if not samples:
        return _section("Sample documents", "samples", "<p class=\"muted\">No document had removals.</p>")
    parts = ["<p class=\"muted\">The first documents that had removals, in input order (of HTML pages, one in "
             "16, those whose left-out blocks were aligned): left, the page's text with each removed span struck "
             "out and tagged with its rule (hover for details), what extraction left out included; right, the "
             "clean text.</p>"]
    for i, d in enumerate(samples):
        doc = with_left_out(Document.from_json(d))
        shown, cut = _truncated(doc)
        note = f"<p class=\"muted\">First {MAX_SAMPLE_CHARS:,} of {len(doc.text):,} characters shown.</p>" if cut else ""
        title = f" — {esc(doc.title)}" if doc.title else ""
        url = f"<br><span class=\"mono muted\">{esc(doc.url)}</span>" if doc.url else ""
        parts.append(
            f"<article class=\"panel sample\" id=\"sample-{i}\"><h3><code>{esc(doc.id)}</code>{title}{url}</h3>"
            f"{drop_html(doc)}{rule_table_html(doc)}{note}<div class=\"side\">"
            f"<div><h4>before</h4><div class=\"doc before\">{document_html(shown, f'd{i}-')}</div></div>"
            f"<div><h4>after</h4><div class=\"doc after\">{esc(apply_spans(shown.text, shown.removed))}</div></div>"
            "</div></article>")
    return _section("Sample documents", "samples", *parts)


def _options(rep: dict[str, Any]) -> str:
    opts = rep.get("options") or {}
    rows = [[f"<code>{esc(str(k))}</code>", f"<code>{esc(repr(v))}</code>"] for k, v in opts.items()]
    return _section("Options", "options", f"<details><summary>{len(rows)} options in force</summary>"
                    + _table(["option", "value"], rows) + "</details>")
