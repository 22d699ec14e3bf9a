"""``cleaner explain``: one document with every removed span shown in place, with its rule and why.

The document comes from :func:`cleaner.engines.local.run.run`, the same code path as
``cleaner clean``: pass 1, every corpus step over the whole input (so a JSONL of many
pages gets site templates and near-duplicates), filters; only the final cut is left
out. Removed pieces are shown as ``[-RULE (DETAIL): TEXT-]`` markers, coloured by kind
on a terminal, or as a self-contained HTML page with ``--format html``.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

from ..config import Options
from ..document import Document, apply_spans
from ..report.segments import kind_label, kind_of, pieces, removed_by_rule, similarity_note, visible

#: ANSI SGR colour codes of the kinds of removal (others are cyan).
ANSI_COLOURS = {"chrome": "31", "dup": "33", "site": "35", "doc": "36", "extract": "34", "corpus": "32"}
ANSI_OTHER = "36"
ANSI_RESET = "\x1b[0m"
#: Document ids listed when ``--id`` names none of the documents.
IDS_LISTED = 5


@dataclass
class Found:
    """What a run over the inputs found: the wanted document, and how many there were."""

    doc: Document | None = None
    text: str = ""                     # the document's text after the cut
    reject: dict | None = None         # the rejects record of the wanted record, when it was rejected
    #                                    (without an id asked for: the first rejects record)
    rejects: int = 0                   # records rejected
    first_rejects: list[str] = field(default_factory=list)   # how to name them: id, or FILE:POSITION
    documents: int = 0
    first_ids: list[str] = field(default_factory=list)
    matches: int = 0                   # records the id asked for names (more than 1: ids used twice)
    match_places: list[str] = field(default_factory=list)    # their FILE:POSITION (the first IDS_LISTED)


def record_place(source: object, position: object) -> str:
    """How explain names a record by where it is: ``SOURCE:POSITION`` (``texts.jsonl:7``).

    ``source`` is the output's ``source``; ``position`` the output's ``source_line`` (JSONL,
    from 1) or ``source_row`` (Parquet/Arrow, from 0), which a rejected record's ``position``
    equals, ``source_offset`` for a WARC/WET document (its rejects' ``position`` is the record's
    number in the file instead), and 0 for a one-page file.
    """
    return f"{source}:{position}"


def _doc_position(doc: Document) -> object:
    p = doc.provenance
    for key in ("source_line", "source_row", "source_offset"):
        if p.get(key) is not None:
            return p[key]
    return 0


def _names(source: object, position: object, rid: object) -> tuple:
    """Every name ``--id`` may give a record: its id, ``FILE:POSITION`` with the file's name or its path."""
    return (rid, f"{os.path.basename(str(source))}:{position}", record_place(source, position))


def find_document(inputs: list[str], options: Options, doc_id: str | None = None, steps=()) -> Found:
    """Run the whole pipeline over ``inputs`` without writing anything and keep one document.

    ``doc_id`` picks the record by id or by ``FILE:POSITION`` (the file's name or path as in
    the output's ``source``, and the position :func:`record_place` describes), which names any record, also one
    whose id another record shares or a rejected one (:attr:`Found.reject`).
    :attr:`Found.matches` counts the records the name fits (more than one: ids used twice).
    ``None`` takes the first one that was not rejected (and keeps the first rejected record
    in :attr:`Found.reject`). The document comes back with its spans uncut and, when it was
    dropped, the reason and ``drop_detail``. ``steps``: a user's own markers
    (``cleaner.run(..., steps=)``). Raises what :func:`cleaner.engines.local.run.run` raises.
    """
    from ..engines.local.run import run

    found = Found()

    def matched(place: str) -> bool:
        found.matches += 1
        if len(found.match_places) < IDS_LISTED:
            found.match_places.append(place)
        return found.matches == 1

    def keep(doc: Document, text: str) -> None:
        found.documents += 1
        if len(found.first_ids) < IDS_LISTED:
            found.first_ids.append(doc.id)
        if doc_id is None:
            if found.doc is None:
                found.doc, found.text = doc, text
            return
        source, position = doc.provenance.get("source"), _doc_position(doc)
        if doc_id in _names(source, position, doc.id) and matched(record_place(source, position)):
            found.doc, found.text = doc, text

    def rejected(rec: dict) -> None:
        found.rejects += 1
        source, position = rec.get("source"), rec.get("position")
        if len(found.first_rejects) < IDS_LISTED:
            found.first_rejects.append(rec.get("id") or f"{os.path.basename(str(source))}:{position}")
        if doc_id is None:
            if found.reject is None:
                found.reject = rec
            return
        if doc_id in _names(source, position, rec.get("id")) and matched(record_place(source, position)):
            found.reject = rec

    run(list(inputs), options, None, emit=keep, on_reject=rejected, steps=steps)
    return found


def render_reject(rec: dict, html_page: bool = False) -> str:
    """What explain says of a rejected record: its id, that it was rejected, the kind and the error, where it was."""
    where = f"{rec.get('source')}" + ("" if rec.get("position") in (None, 0) else f", position {rec.get('position')}")
    name = reject_name(rec)
    lines = [("document", name), ("status", f"REJECTED ({rec.get('kind')}): {rec.get('error')}"),
             ("input", where), ("note", "a rejected record is in the rejects files, never in clean or dropped")]
    if not html_page:
        return "".join(f"{k:<9} {visible(v)}\n" for k, v in lines)
    from ..report.render import esc, page
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in lines)
    return page(f"cleaner explain: {name}",
                f"<header><h1>cleaner explain: <code>{esc(name)}</code></h1></header>"
                f"<div class=\"panel reject\"><table>{rows}</table></div>")


def reject_name(rec: dict) -> str:
    """A rejected record's id, or ``SOURCE:POSITION`` for one rejected before its id was read."""
    rid = rec.get("id")
    return str(rid) if rid not in (None, "") else record_place(rec.get("source"), rec.get("position"))


def rule_descriptions(options: Options) -> dict[str, str]:
    """``{rule id: description}`` of the chrome rules ``options`` select and of the duplicate steps' rules.

    The chrome rules are left out when they cannot load.
    """
    from ..extract import removals as extract_removals
    from ..page import shortcodes
    from ..page import duplicates, title
    from ..corpus import paragraphs, templates
    from ..rules.engine import RuleError, select_rules
    out = {**duplicates.RULE_DESCRIPTIONS, **title.RULE_DESCRIPTIONS, **templates.RULE_DESCRIPTIONS,
           **shortcodes.RULE_DESCRIPTIONS, **paragraphs.RULE_DESCRIPTIONS, **extract_removals.RULE_DESCRIPTIONS}
    try:
        out.update({r.id: r.description for r in select_rules(options) if r.description})
    except (RuleError, OSError):
        pass
    return out


# --------------------------------------------------------------------------- text


def _status(doc: Document) -> str:
    if doc.dropped is None:
        return "kept"
    d = doc.drop_detail or {}
    parts = [f"DROPPED ({doc.dropped})"]
    if d.get("duplicate_of") is not None:
        parts.append(f"kept instead: {d['duplicate_of']}")
    note = similarity_note(doc.dropped, d.get("similarity"))
    if note:
        parts.append(note)
    parts += [f"{k}: {v}" for k, v in sorted(d.items()) if k not in ("duplicate_of", "similarity")]
    return "; ".join(parts)


def _label(p) -> str:
    s = p.span
    label = s.rule + (f" ({s.detail})" if s.detail else "")
    if p.also:
        label += "; also " + ", ".join(sorted({o.rule for o in p.also}))
    return visible(label)


def render_text(doc: Document, color: bool = False, descriptions: dict[str, str] | None = None) -> str:
    """The document as text: a header (status, rules, characters) and the text with markers.

    Each removed piece is ``[-RULE (DETAIL): TEXT-]`` (its line break stays outside the
    marker); with ``color`` the marker is drawn in the ANSI colour of its kind instead.
    Control and bidi-override characters of the page are shown escaped (see
    :func:`cleaner.report.segments.visible`).
    """
    descriptions = descriptions or {}
    n = len(doc.text)
    rules = removed_by_rule(doc)
    removed = sum(c for _, c in rules.values())
    share = f" ({removed / n * 100:.1f}%)" if n else ""
    head = [f"document  {visible(doc.id)}"]
    if doc.url:
        head.append(f"url       {visible(doc.url)}")
    if doc.title:
        head.append(f"title     {visible(doc.title)}")
    head.append(f"status    {visible(_status(doc))}")
    head.append(f"removed   {len(doc.removed)} span{'s' if len(doc.removed) != 1 else ''}, {removed:,} of {n:,} characters{share}")
    width = max((len(r) for r in rules), default=0)
    for r, (spans, chars) in rules.items():
        line = (f"  {visible(r):<{width}}  {kind_label(kind_of(r)):<17} {spans:>4} span{'s' if spans != 1 else ' '}"
                f" {chars:>8,} chars")
        if descriptions.get(r):
            line += f"  {visible(descriptions[r])}"
        head.append(_ansi(line, kind_of(r)) if color else line)
    if color:
        head.append("legend    " + "  ".join(_ansi(kind_label(k), k) for k in ("extract", "chrome", "dup", "site", "corpus")))
    else:
        head.append("markers   [-RULE (DETAIL): REMOVED TEXT-]")
    body = []
    for p in pieces(doc):
        text = visible(doc.text[p.start:p.end])
        if p.span is None:
            body.append(text)
            continue
        core = text.rstrip("\n")
        tail = text[len(core):]
        if color:
            c = ANSI_COLOURS.get(kind_of(p.span.rule), ANSI_OTHER)
            body.append(f"\x1b[1;{c}m[{_label(p)}]\x1b[22m {core}{ANSI_RESET}{tail}")
        else:
            body.append(f"[-{_label(p)}: {core}-]{tail}")
    rule_line = "-" * 72
    out = "\n".join(head) + "\n" + rule_line + "\n" + "".join(body)
    return out if out.endswith("\n") else out + "\n"


def _ansi(text: str, kind: str) -> str:
    return f"\x1b[{ANSI_COLOURS.get(kind, ANSI_OTHER)}m{text}{ANSI_RESET}"


# --------------------------------------------------------------------------- html


def render_html(doc: Document, text_after: str | None = None, descriptions: dict[str, str] | None = None) -> str:
    """The document as a self-contained HTML page: status, rules, the text with removals in place.

    ``text_after`` (the clean text) is added in a folded section; it defaults to the
    document's text with its spans cut.
    """
    from ..report.render import document_html, drop_html, esc, legend_html, page, rule_table_html

    after = apply_spans(doc.text, doc.removed) if text_after is None else text_after
    meta = "".join(f"<br><span class=\"mono muted\">{esc(v)}</span>" for v in (doc.url,) if v)
    kept = "" if doc.dropped is not None else "<p class=\"muted\">Kept.</p>"
    body = (f"<header><h1>cleaner explain: <code>{esc(doc.id)}</code></h1>"
            f"<p class=\"sub\">{esc(doc.title or '')}{meta}</p></header>"
            f"{drop_html(doc)}{kept}"
            f"<div class=\"panel\">{legend_html([s.rule for s in doc.removed])}{rule_table_html(doc, descriptions)}</div>"
            f"<h2>Text, removals in place</h2><div class=\"doc full before\">{document_html(doc)}</div>"
            f"<details><summary>Clean text ({len(after):,} characters)</summary>"
            f"<div class=\"doc full after\">{esc(after)}</div></details>")
    return page(f"cleaner explain: {doc.id}", body)


# --------------------------------------------------------------------------- command


def use_color(args: argparse.Namespace, stream: TextIO) -> bool:
    """Whether to draw ANSI colours: ``--color always``, or ``auto`` on a terminal without ``NO_COLOR``."""
    if args.format != "text" or args.color == "never":
        return False
    if args.color == "always":
        return True
    return (args.output is None and stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


def _write_stdout(text: str) -> None:
    buf = getattr(sys.stdout, "buffer", None)
    if buf is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        buf.write(text.encode("utf-8", "replace"))
    sys.stdout.flush()


def explain_main(args: argparse.Namespace, options: Options) -> int:
    """Run ``cleaner explain`` with parsed ``args`` (see :func:`cleaner.cli.main.build_parser`); returns the exit status."""
    from .messages import EXIT_USAGE, fail as _fail
    from ..io.readers import InputError
    from ..errors import RunError
    from ..rules.engine import RuleError

    # One document, uncut spans: always the local engine, whatever the --config file says.
    # and every HTML page aligned with its extraction, so that what extraction left out shows in place.
    options = dataclasses.replace(options, engine="local", extraction_detail=True,
                                  progress=options.progress and sys.stderr.isatty())
    try:
        found = find_document(args.inputs, options, args.id)
    except (InputError, RuleError) as e:
        return _fail(str(e), EXIT_USAGE)
    except (RunError, OSError) as e:
        return _fail(f"{e}; check the inputs and free disk space in the temporary folder, then try again")
    if args.id is not None and found.matches > 1:
        more = ", ..." if found.matches > len(found.match_places) else ""
        return _fail(f"{found.matches} records have the id {args.id!r} (ids used twice): name one by FILE:POSITION "
                     f"({', '.join(repr(p) for p in found.match_places)}{more}; FILE as in the output's source, POSITION "
                     "its source_line, source_row or source_offset)", EXIT_USAGE)
    if found.doc is None and found.reject is not None and (
            args.id is not None or (found.documents == 0 and found.rejects == 1)):
        return _emit(args, render_reject(found.reject, args.format == "html"))
    if found.doc is None:
        if not found.documents:
            if not found.rejects:
                return _fail("the input holds no document to explain (it is empty)")
            rmore = ", ..." if found.rejects > len(found.first_rejects) else ""
            return _fail(f"the input holds no document to explain: its {found.rejects} records were all rejected "
                         f"({', '.join(repr(i) for i in found.first_rejects)}{rmore}); name one with --id (its id "
                         "or FILE:POSITION) to see why")
        more = ", ..." if found.documents > len(found.first_ids) else ""
        rejects = ""
        if found.rejects:
            rmore = ", ..." if found.rejects > len(found.first_rejects) else ""
            rejects = (f"; {found.rejects} record{'s were' if found.rejects != 1 else ' was'} rejected "
                       f"({', '.join(repr(i) for i in found.first_rejects)}{rmore}: name one by id or FILE:POSITION)")
        return _fail(f"no document with id {args.id!r} among {found.documents} documents "
                     f"(ids: {', '.join(repr(i) for i in found.first_ids)}{more}){rejects}; give one of them with --id",
                     EXIT_USAGE)
    descriptions = rule_descriptions(options)
    if args.id is None and found.documents + found.rejects > 1:   # say which one of many this is, and how to pick another
        more = ", ..." if found.documents > len(found.first_ids) else ""
        print(f"cleaner: explain: the input holds {found.documents + found.rejects} records; this is the first "
              f"document ({found.doc.id!r}); name another with --id ID or --id FILE:POSITION "
              f"(ids: {', '.join(repr(i) for i in found.first_ids)}{more})", file=sys.stderr)
    from ..extract.removals import with_left_out
    doc = with_left_out(found.doc)
    if args.format == "html":
        out = render_html(doc, found.text, descriptions)
    else:
        out = render_text(doc, use_color(args, sys.stdout), descriptions)
    return _emit(args, out)


def _emit(args: argparse.Namespace, out: str) -> int:
    """Write explain's output to ``-o FILE`` or standard output; returns the exit status."""
    from .messages import EXIT_OK, fail as _fail
    from ..report.html import write_text_atomic
    try:
        if args.output:
            write_text_atomic(args.output, out)
        else:
            _write_stdout(out)
    except BrokenPipeError:
        raise  # the reader went away: cleaner.cli.main.main ends quietly
    except OSError as e:
        return _fail(f"cannot write {args.output or 'standard output'}: {e}; choose another -o path")
    return EXIT_OK
