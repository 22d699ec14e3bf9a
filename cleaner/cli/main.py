"""The ``cleaner`` command line: ``clean``, ``explain`` and ``rules check``."""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any, Callable, NoReturn, Sequence

from .. import __version__
from ..config import Options, load_options, option_fields
from .messages import (EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_OK, EXIT_REJECTS, EXIT_USAGE, fail as _fail,  # noqa: F401
                       stdout_note, summary_line)


#: Options ``cleaner explain`` has no flag for: it always runs on this machine.
ENGINE_OPTIONS = ("engine", "ray_address", "ray_shuffle")
#: Options ``cleaner explain`` has no flag for: it runs on this machine and writes no shards, so
#: these change nothing it shows. They keep their defaults or ``--config`` values.
EXPLAIN_EXCLUDED_OPTIONS = ENGINE_OPTIONS + ("workers", "shard_size_mb", "output_format",
                                             "spool_batch_records", "fail_on_reject", "max_step_failure_share")
#: Title of the options group in ``--help``.
OPTIONS_GROUP_TITLE = ("options (also keys of the --config TOML file, top level or in a [clean] table, "
                       "spelled with underscores: --near-dup-jaccard 0.7 is near_dup_jaccard = 0.7)")
#: Line written between two documents in the one-file standard-output mode: a form feed alone
#: on its line (the page separator of plain text, as pdftotext writes between pages).
DOC_SEPARATOR = "\n\f\n"


class Parser(argparse.ArgumentParser):
    """An argument parser that takes no abbreviation of a long flag (``--near-dup`` is not
    ``--near-dup-jaccard``) and reports a usage error as one line, then exits with
    :data:`EXIT_USAGE` (``--help`` shows the usage)."""

    def __init__(self, *args: Any, **kw: Any):
        kw["allow_abbrev"] = False
        super().__init__(*args, **kw)

    def error(self, message: str) -> "NoReturn":
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def _typed(name: str, kind: type, bounds: Any) -> Callable[[str], Any]:
    """The argparse ``type`` of a numeric option: its message names the values allowed."""
    def parse(text: str) -> Any:
        try:
            return kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: allowed is {what}"
                                             f"{f' {_allowed(bounds)}' if bounds is not None else ''}") from None
    parse.__name__ = name
    return parse


def _allowed(bounds: Any) -> str:
    text = str(bounds)
    return f"in {text}" if text[:1] in "([" else text


def _add_option_flags(p: argparse.ArgumentParser, exclude: tuple[str, ...] = ()) -> None:
    """One flag per :class:`Options` field but ``exclude``, named like the field, default taken from the config."""
    g = p.add_argument_group(OPTIONS_GROUP_TITLE)
    for f in option_fields():
        if f.name in exclude:
            continue
        flags = ["--" + f.name.replace("_", "-"), *f.metadata.get("aliases", ())]
        bounds = f.metadata.get("bounds")
        help_ = f"{f.metadata.get('help', '')} (default: {f.default}{f'; allowed: {bounds}' if bounds else ''})"
        if isinstance(f.default, bool):
            g.add_argument(*flags, dest=f.name, action=argparse.BooleanOptionalAction, default=None, help=help_)
        else:
            kind = type(f.default)
            g.add_argument(*flags, dest=f.name, type=_typed(f.name, kind, bounds) if kind in (int, float) else kind,
                           default=None, metavar=f.name.upper(),
                           choices=f.metadata.get("choices"), help=help_)


def _options(args: argparse.Namespace) -> Options:
    overrides = {f.name: getattr(args, f.name, None) for f in option_fields() if hasattr(args, f.name)}
    return load_options(args.config, overrides)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="cleaner",
        description="Turn scraped web pages (HTML, WARC, JSONL, Parquet) into clean text for "
                    "language-model training: main content only, no site chrome, no duplicates.")
    p.add_argument("--version", action="version", version=f"cleaner {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    c = sub.add_parser("clean", help="clean files or folders of pages",
                       description="Extract main content, remove site chrome, in-page duplicates, site "
                                   "templates and near-duplicate documents. With -o, writes "
                                   "OUTDIR/clean-*.jsonl.gz, dropped-* and rejects-* (each when it has records), report.json and "
                                   "report.html; without -o and with one input file, prints the clean text "
                                   "(documents of a multi-record file separated by a line holding only a "
                                   "form feed, \\f).")
    c.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, folders, URLs (s3://, gs://, hf://, file://, ... through fsspec) or - for standard "
                        "input (*.html, *.txt, *.jsonl, *.warc, *.wet, *.parquet, *.arrow, optionally .gz/.zst; "
                        "other names are sniffed by content)")
    c.add_argument("-o", "--output", metavar="OUTDIR",
                   help="output folder or URL (a run into the same folder resumes)")
    c.add_argument("--config", metavar="TOML", help="options file (keys with underscores); flags override it")
    _add_option_flags(c)

    e = sub.add_parser("explain", help="show what was removed from one document and why",
                       description="Run the pipeline without cutting and show each removed span in place, "
                                   "with its rule and, for duplicates, the copy that was kept. It always "
                                   "runs on this machine (the local engine): engine settings in --config "
                                   "are ignored.")
    e.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files or folders, as for clean; every document of them goes through the corpus "
                        "steps (templates, duplicates), one is shown")
    e.add_argument("--id", help="the document to explain: its id, or FILE:POSITION (e.g. texts.jsonl:7: the JSONL "
                   "line, the Parquet row, the WARC offset; any record, also a rejected one or one whose "
                   "id another record shares) (default: the first)")
    e.add_argument("--format", choices=("text", "html"), default="text",
                   help="text: the document with [-RULE: REMOVED-] markers; html: a self-contained page "
                        "(default: text)")
    e.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text markers by kind of removal; auto: only on a terminal and without "
                        "NO_COLOR (default: auto)")
    e.add_argument("-o", "--output", metavar="FILE",
                   help="write to this FILE (one file, not a folder) instead of standard output")
    e.add_argument("--config", metavar="TOML", help="options file (keys with underscores); flags override it")
    _add_option_flags(e, exclude=EXPLAIN_EXCLUDED_OPTIONS)

    s = sub.add_parser("show", help="print the result of a run: summary, clean documents, drops",
                       description="Read OUTDIR written by `cleaner clean -o OUTDIR` and print its summary, "
                                   "the first clean documents and the dropped records with their reasons.")
    s.add_argument("outdir", metavar="OUTDIR")
    s.add_argument("-n", "--limit", type=int, default=3, help="clean documents to print (default: 3)")
    s.add_argument("--chars", type=int, default=600, help="characters of each text to print (default: 600)")

    r = sub.add_parser("rules", help="list the chrome rules or check their examples",
                       description="check: run every rule's examples against the rule and print the ones "
                                   "that fail (exit 1 if any). list: print every rule as one tab-separated "
                                   "line: id, language (* = any), scope, description; scope 'code' is "
                                   "a rule written as code (--disable-rules switches it off like the others).")
    r.add_argument("action", choices=("check", "list"),
                   help="check (run the rules' examples) or list (print the rules)")
    r.add_argument("--extra-rules", metavar="TOML", default="", help="also load this rules file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    When the reader of standard output goes away (``cleaner show OUT | head``), the output
    left is thrown away and the status is :data:`EXIT_BROKEN_PIPE`, without a traceback
    (the Python documentation's recipe for SIGPIPE in the ``signal`` module).
    """
    try:
        status = _main(argv)
        sys.stdout.flush()  # a broken pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the flush at exit must not fail again
        return EXIT_BROKEN_PIPE


def entry() -> None:
    """The ``cleaner`` program: :func:`main`, and its status as the process's exit status.

    After Ctrl-C (status 130) the process ends at once, past the interpreter's shutdown:
    the worker pools were killed, and what their half-closed pipes would print at shutdown
    ("Exception ignored in ... Bad file descriptor") would only hide the one line that says
    how to resume.
    """
    status = main()
    if status == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    _exit_without_teardown(status)
    raise SystemExit(status)


def _exit_without_teardown(status: int) -> None:
    """End the process with ``status`` now that the command is done, without the interpreter's teardown.

    The exit handlers run (:mod:`atexit`: logging, process pools, temporary folders, Ray) and
    the standard streams are flushed; then the process ends at once, skipping the freeing of
    every module and object one by one (numpy's, lxml's, trafilatura's), which takes 0.05-0.08 s,
    a seventh of ``cleaner clean one.html``, and changes nothing the command wrote: every file
    it writes is closed before :func:`main` returns. Returns (the caller then exits as usual)
    when another non-daemon thread still runs, which the interpreter's teardown would wait for,
    or on an interpreter without ``atexit._run_exitfuncs``.
    """
    import atexit
    import threading

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None or any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        return
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a reader gone away, a closed stream: nothing left to write there
            pass
    os._exit(status)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an unknown flag is reported by its command's parser, with the closest known flag."""
    import difflib
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else list(argv)):
        parser.print_help(sys.stderr)   # `cleaner` alone: what it does and its commands, not just "required: command"
        raise SystemExit(EXIT_USAGE)
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = parser._subparsers._group_actions[0].choices[args.command]  # type: ignore[union-attr]
        takes_value = {o: a.nargs != 0 for a in sub._actions for o in a.option_strings if o.startswith("--")}
        close: list[str] = []
        for i, token in enumerate(extra):
            if not token.startswith("--"):
                continue
            x = token.split("=")[0]
            valued = "=" in token or (i + 1 < len(extra) and not extra[i + 1].startswith("-"))
            # "--near-dup 0.8": only a flag that takes a value is meant, not a switch
            flags = [f for f, v in takes_value.items() if v or not valued]
            # a flag the token begins ("--work": --workers) says it; else the closest spellings
            for m in [f for f in flags if f.startswith(x)] or difflib.get_close_matches(x, flags, 2, 0.6):
                if m not in close:
                    close.append(m)
        hint = f" (did you mean {' or '.join(close[:3])}?)" if close else ""
        sub.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _main(argv: Sequence[str] | None) -> int:
    args = _parse(argv)
    try:
        if args.command == "clean":
            return _clean(args)
        if args.command == "explain":
            from .explain import explain_main
            try:
                options = _options(args)
            except (ValueError, OSError) as e:
                return _fail(f"{e}", EXIT_USAGE)
            return explain_main(args, options)
        if args.command == "show":
            from .show import show_main
            return show_main(args.outdir, args.limit, args.chars)
        if args.command == "rules":
            return _rules(args)
    except KeyboardInterrupt:
        print("cleaner: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return EXIT_USAGE


def _clean(args: argparse.Namespace) -> int:
    from ..api import run_corpus
    from ..io.readers import InputError
    from ..page.language import LanguageCodeError
    from ..errors import RunError
    from ..engines.totals import StepFailureError
    from ..rules.engine import RuleError

    try:
        options = _options(args)
    except (ValueError, OSError) as e:
        return _fail(f"{e}", EXIT_USAGE)
    to_stdout = args.output is None
    if not to_stdout and os.path.exists(args.output) and not os.path.isdir(args.output):
        return _fail(f"-o {args.output}: that is a file; give the folder to write the shards and report to", EXIT_USAGE)
    if options.engine == "ray" and to_stdout:
        return _fail("--engine ray writes shards: give -o OUTDIR (a local folder or s3://bucket/prefix)", EXIT_USAGE)
    if options.engine == "ray":
        from ..engines.ray.engine import import_ray
        try:
            import_ray()
        except RunError as e:   # not installed: the command cannot work as given
            return _fail(str(e), EXIT_USAGE)
    if to_stdout:
        if len(args.inputs) != 1 or (args.inputs[0] != "-" and os.path.isdir(args.inputs[0])):
            return _fail("give -o OUTDIR to clean a folder or several inputs "
                         "(without -o, cleaner prints the clean text of one input file)", EXIT_USAGE)
        options = dataclasses.replace(options, progress=False)
        if getattr(args, "title_in_text", None) is None and _is_text_file(args.inputs[0]):
            # the page's own first line stays on screen: a text file's headline is printed above its text
            options = dataclasses.replace(options, title_in_text=True)
    elif options.progress and not sys.stderr.isatty():
        options = dataclasses.replace(options, progress=False)
    try:
        result = run_corpus(args.inputs, args.output, options)   # cleaner.run's own code path
    except StepFailureError as e:   # everything is written: say what the run did, then why it failed
        print(summary_line(e.report, args.output or "-"), file=sys.stderr)   # ends with "cleaner: error: ..."
        return EXIT_FAILED
    except (InputError, LanguageCodeError) as e:
        return _fail(str(e), EXIT_USAGE)
    except RuleError as e:
        return _fail(f"{e}", EXIT_USAGE)
    except RunError as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"{e}; check the output folder and free disk space, then run the same command again to resume")
    rep = result.report
    if to_stdout:
        out = sys.stdout
        out.write(DOC_SEPARATOR.join(result.clean_texts))
        if result.clean_texts:
            out.write("\n")
        out.flush()
        note = stdout_note(rep)
        if note:
            print(note, file=sys.stderr)
    else:
        print(summary_line(rep, args.output), file=sys.stderr)
    if options.fail_on_reject and result.rejected:
        return _fail(f"{result.rejected} record(s) rejected (see rejects file); --fail-on-reject is set", EXIT_REJECTS)
    return EXIT_OK


def _is_text_file(path: str) -> bool:
    """True for a plain-text input file (``*.txt``, ``*.text``, optionally compressed)."""
    from ..io.readers import kind_of
    return kind_of(path)[0] == "text"


def _rules(args: argparse.Namespace) -> int:
    from ..rules.engine import RuleError, rules_with_extra
    from ..page.chrome import check_rules
    try:
        rules = rules_with_extra(args.extra_rules)
    except RuleError as e:
        return _fail(str(e), EXIT_USAGE)
    if args.action == "list":
        from ..pipeline import code_rule_descriptions
        for r in rules:
            print(f"{r.id}\t{r.lang}\t{r.scope}\t{r.description}")
        for rule_id, description in code_rule_descriptions().items():   # no pattern: scope "code"
            print(f"{rule_id}\t*\tcode\t{description}")
        return EXIT_OK
    problems = check_rules(rules)
    for p in problems:
        print(p)
    print(f"{len(rules)} rules, {len(problems)} problems", file=sys.stderr)
    return EXIT_FAILED if problems else EXIT_OK
