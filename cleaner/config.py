"""One options object for the whole pipeline: defaults here, a TOML file, flags of the same names.

Every field of :class:`Options` is a flag of ``cleaner clean`` spelled with dashes
(``--near-dup-jaccard 0.7``) and a key of the ``[clean]`` table (or top level) of the file
given with ``--config`` spelled with underscores (``near_dup_jaccard = 0.7``). Flags win over
the file, the file over the defaults. Numeric options declare the :class:`Interval` of values
that make sense; :func:`load_options` refuses values outside it. The options in force are
echoed into ``report.json``.
"""
from __future__ import annotations

import dataclasses
import math
import numbers
import os
import sys
from dataclasses import dataclass, field, fields
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Interval:
    """The values a numeric option accepts: ``lo``..``hi`` (``None``: unbounded), each end open or closed."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def __contains__(self, v: float) -> bool:
        if not math.isfinite(v):
            return False
        if self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo):
            return False
        return self.hi is None or (v < self.hi if self.hi_open else v <= self.hi)

    def __str__(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"{'(' if self.lo_open else '['}{self.lo}, {self.hi}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {self.lo}"
        if self.hi is not None:
            return f"{'<' if self.hi_open else '<='} {self.hi}"
        return "any finite number"


#: Common intervals: a share or similarity (0, 1], a count of at least one, a non-negative amount.
SHARE_OPEN_LOW = Interval(0, 1, lo_open=True)
SHARE = Interval(0, 1)
AT_LEAST_ONE = Interval(1)
NON_NEGATIVE = Interval(0)
POSITIVE = Interval(0, lo_open=True)
#: Seeds numpy's legacy RandomState (used by datasketch) accepts: 0 <= seed < 2**32.
SEED_RANGE = Interval(0, 2**32 - 1)


class OptionError(ValueError):
    """An option value that cannot be used; ``option`` is its name (``near_dup_jaccard``)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def _opt(default: Any, help: str, **kw: Any) -> Any:
    """A field of :class:`Options`: default, help text, and ``choices``/``bounds``/``aliases`` metadata."""
    return field(default=default, metadata={"help": help, **kw})


@dataclass
class Options:
    """Everything a run can be configured with. Units are in the names."""

    # --- reading
    text_field: str = _opt("text", "JSONL/Parquet field that holds already-extracted text")
    html_field: str = _opt("html", "JSONL/Parquet field that holds raw HTML")
    id_field: str = _opt("id", "JSONL/Parquet field that holds the record id")
    url_field: str = _opt("url", "JSONL/Parquet field that holds the page URL")
    max_input_bytes: int = _opt(50_000_000, "records larger than this go to rejects (bytes)", bounds=AT_LEAST_ONE)
    input_type: str = _opt("auto", "read every input as this kind: auto (by suffix, else sniffed by content), html, text, "
                                   "jsonl, warc (WARC, WET, ARC), parquet or arrow",
                           choices=("auto", "html", "text", "jsonl", "warc", "parquet", "arrow"))
    max_decompressed_bytes: int = _opt(2_000_000_000, "a compressed input file that inflates past this is cut off and the rest rejected (bytes)", bounds=AT_LEAST_ONE)
    # --- language
    keep_languages: str = _opt("", "comma-separated ISO 639-1 codes of the languages to keep (e.g. de,en); documents "
                                   "identified as another language are dropped with reason language (empty = keep all)")
    # --- extraction
    extract: bool = _opt(True, "run main-content extraction on HTML records (off: HTML is turned to plain text)")
    favor: str = _opt("balanced", "trafilatura trade-off: balanced, precision or recall", choices=("balanced", "precision", "recall"))
    captions: bool = _opt(False, "keep figure captions (figcaption text, once) as paragraphs; off: figures are dropped whole, as trafilatura does")
    repair_encoding: bool = _opt(True, "repair double-encoded text (UTF-8 read as Latin-1 and encoded again: \"cafÃ©\" -> \"café\") with ftfy")
    extraction_detail: bool = _opt(False, "align every HTML page with what extraction kept, to show each left-out block in place (explain turns it on; otherwise one page in 16 is aligned, for report.html's samples, and the rest only counted)")
    doc_timeout_s: float = _opt(60.0, "a record that takes longer than this to extract and mark goes to rejects (seconds; 0 = no limit)", bounds=NON_NEGATIVE)
    # --- rules and in-page duplicates
    rules: str = _opt("all", "comma-separated rule ids or prefixes to run (all = every built-in rule)")
    disable_rules: str = _opt("", "comma-separated rule ids or prefixes to switch off")
    extra_rules: str = _opt("", "path of a TOML rules file to load beside the built-in ones")
    languages: str = _opt("all", "comma-separated language tags whose language-bound rules run (all = every language)")
    regex_timeout_s: float = _opt(0.5, "time limit of one regular-expression match (seconds)", bounds=POSITIVE)
    title_dedup: bool = _opt(True, "remove the first line of the text when it repeats the page title (the title stays in the title field)")
    text_title: bool = _opt(True, "text records (and pages without a headline): a first line that is the page's headline moves to the title field, a \" | Site name\" suffix dropped")
    title_in_text: bool = _opt(False, "write the title as the first line of the output text (\"title + text\"); the title field stays")
    drop_index_pages: bool = _opt(True, "drop pages whose text is only teaser cards (headline, one-line summary, date: a section front or listing) with reason \"no main content\"")
    inpage_dedup: bool = _opt(True, "remove repeated headlines, captions and paragraphs inside each page")
    inpage_jaccard: float = _opt(0.8, "Jaccard similarity of character 5-gram sets above which two paragraphs of one page are near-duplicates", bounds=SHARE_OPEN_LOW)
    # --- site templates
    templates: bool = _opt(True, "remove blocks that recur on many pages of one host")
    template_min_pages: int = _opt(4, "a block is template only if it occurs on at least this many distinct pages of its host (measured: benchmarks/dedup_templates.py)", bounds=Interval(2))
    template_min_share: float = _opt(0.2, "... and on at least this share of the host's distinct pages (0-1)", bounds=SHARE)
    # --- paragraphs repeated across the corpus
    paragraph_dedup: bool = _opt(True, "remove paragraphs repeated across the corpus: short ones found on many hosts everywhere, longer ones kept in their first document only")
    paragraph_boilerplate_chars: int = _opt(100, "a paragraph shorter than this (normalised characters) found on at least paragraph_min_hosts hosts is boilerplate and removed everywhere", bounds=NON_NEGATIVE)
    paragraph_min_hosts: int = _opt(10, "distinct hosts a short paragraph must be on to be boilerplate", bounds=Interval(2))
    paragraph_min_chars: int = _opt(100, "a paragraph at least this long (normalised characters) found in several documents is kept in the first one only (input order)", bounds=AT_LEAST_ONE)
    paragraph_repeat_hosts: int = _opt(2, "... when those documents are on at least this many hosts (1: a site repeating its own paragraph on two pages counts too; a document without a URL counts no host)", bounds=AT_LEAST_ONE)
    # --- near-duplicate documents
    exact_dedup: bool = _opt(True, "drop documents whose normalised text equals an earlier survivor's")
    near_dedup: bool = _opt(True, "drop near-duplicate documents (MinHash LSH)")
    exact_dup_keep: str = _opt("smallest-id", "which of exact duplicates stays: smallest-id (independent of input order) or first (input order)", choices=("smallest-id", "first"))
    near_dup_keep: str = _opt("longest", "which of near-duplicates stays: longest (most shingles, then smallest id; the most complete text, independent of input order) or first (input order)", choices=("longest", "first"))
    near_dup_jaccard: float = _opt(0.55, "Jaccard similarity of shingle sets at or above which two documents are near-duplicates (0-1; LSH bands and rows follow from it)", bounds=SHARE_OPEN_LOW)
    minhash_permutations: int = _opt(128, "MinHash signature length (number of hash functions)", bounds=AT_LEAST_ONE)
    shingle_words: int = _opt(5, "word n-gram size of shingles for space-delimited text", bounds=AT_LEAST_ONE)
    shingle_chars: int = _opt(5, "character n-gram size of shingles for text written without spaces (CJK, Thai)", bounds=AT_LEAST_ONE)
    verify_shingles: int = _opt(512, "shingles kept per document (bottom-k sketch, on disk) to verify LSH candidates: exact Jaccard similarity for documents with at most this many shingles, an estimate above", bounds=AT_LEAST_ONE)
    seed: int = _opt(42, "seed of the MinHash hash functions", bounds=SEED_RANGE)
    min_doc_chars: int = _opt(1, "documents with less clean text than this are dropped (characters)", bounds=NON_NEGATIVE)
    # --- running
    workers: int = _opt(0, "worker processes (0 = number of cores)", bounds=NON_NEGATIVE)
    batch_size: int = _opt(64, "records handed to a worker at a time", bounds=AT_LEAST_ONE)
    spool_batch_records: int = _opt(1000, "input records per spool batch in OUTDIR/.work: the unit of resuming an interrupted run (records)", bounds=AT_LEAST_ONE)
    engine: str = _opt("local", "where the pipeline runs: local (a process pool on this machine) or ray "
                                "(Ray Data on a cluster; needs pip install 'cleaner[ray]' and -o OUTDIR)",
                       choices=("local", "ray"))
    ray_address: str = _opt("", "with --engine ray: the cluster to join (ray://HOST:10001, HOST:6379 or auto; "
                                "empty = $RAY_ADDRESS if set, else a new local Ray with --workers CPUs)", aliases=("--address",))
    ray_shuffle: str = _opt("sort", "with --engine ray: Ray Data's shuffle for the corpus steps: sort (sort-based, "
                                    "pull; starts at once) or hash (hash shuffle with aggregator actors; 15-20 s to start on "
                                    "2 cores, meant for very large shuffles)", choices=("sort", "hash"))
    # --- writing
    shard_size_mb: float = _opt(256.0, "start a new output shard after this many megabytes of uncompressed JSON", bounds=POSITIVE)
    output_format: str = _opt("jsonl.gz", "output shards: jsonl, jsonl.gz, jsonl.zst or parquet", choices=("jsonl", "jsonl.gz", "jsonl.zst", "parquet"))
    fail_on_reject: bool = _opt(False, "exit with status 3 when any record was rejected")
    max_step_failure_share: float = _opt(0.05, "a run in which one step raised on more than this share of the input records fails (exit 1; the Python API raises StepFailureError) after writing everything; any step failure is a warning (0-1; 1 = never fail)", bounds=SHARE)
    progress: bool = _opt(True, "show progress bars on standard error")

    def resolved_workers(self) -> int:
        """The number of worker processes to use (>= 1)."""
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def option_fields() -> list[dataclasses.Field]:
    """The fields of :class:`Options`, in declaration order."""
    return list(fields(Options))


def load_options(path: str | None = None, overrides: dict[str, Any] | None = None) -> Options:
    """Build :class:`Options` from defaults, an optional TOML file and explicit overrides.

    Raises :class:`OptionError` (a ``ValueError``) for an unknown key, a value of the wrong
    type or one outside its choices or bounds (:func:`check_options`), naming the key, and
    for a file that does not exist or is not TOML, naming the file; ``OSError`` when the
    file cannot be read otherwise.
    """
    values: dict[str, Any] = {}
    if path:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise OptionError("config", f"config file {path!r}: no such file; check the path") from None
        except IsADirectoryError:
            raise OptionError("config", f"config file {path!r} is a folder; give a TOML file") from None
        except tomllib.TOMLDecodeError as e:
            raise OptionError("config", f"config file {path!r} is not valid TOML: {e}") from None
        data = {**{k: v for k, v in data.items() if not isinstance(v, dict)}, **data.get("clean", {})}
        values.update(data)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    known = {f.name: f for f in option_fields()}
    unknown = sorted(set(values) - set(known))
    if unknown:
        dashed = [f"{k} -> {k.replace('-', '_')}" for k in unknown if k.replace("-", "_") in known]
        hint = (f" (TOML keys are spelled with underscores where flags have dashes: {'; '.join(dashed)})"
                if dashed else "")
        import difflib
        close = sorted({c for k in unknown for c in difflib.get_close_matches(k.replace("-", "_"), known, 3, 0.75)})
        if close and not dashed:
            hint = f" (did you mean {' or '.join(close)}?)"
        raise OptionError(unknown[0], f"unknown option(s) {', '.join(unknown)}{hint}; known options: {', '.join(known)}")
    for k, v in list(values.items()):
        default = known[k].default
        if isinstance(default, bool):
            if not isinstance(v, bool):
                raise OptionError(k, f"option {k} takes true or false, not {v!r}")
        elif isinstance(default, (int, float)):
            values[k] = _number(k, default, v)
        elif isinstance(default, str) and isinstance(v, list):
            # a TOML list for a comma-separated option: keep_languages = ["de", "fr"]
            if not all(isinstance(x, str) and "," not in x for x in v):
                raise OptionError(k, f"option {k} takes a list of strings without commas, or one comma-separated "
                                     f"string, not {v!r}")
            values[k] = ",".join(x.strip() for x in v)
        elif isinstance(default, str) and not isinstance(v, str):
            raise OptionError(k, f"option {k} takes a string, not {v!r}")
    return check_options(Options(**values))


def check_options(options: "Options") -> "Options":
    """``options`` when every field has its type and lies in its choices and bounds (a copy
    with plain ``int``/``float`` where a number came as another type, e.g. numpy's).

    The one check of option values, used by :func:`load_options` (the command line and
    ``--config``) and by the Python API (:func:`cleaner.clean_html`, :func:`cleaner.clean_text`,
    :func:`cleaner.run`). Raises :class:`OptionError` (a ``ValueError``) naming the first
    bad option, its flag, the values allowed and the default.
    """
    plain: dict[str, Any] = {}
    for f in option_fields():
        v = getattr(options, f.name)
        default = f.default
        if isinstance(default, bool):
            ok = isinstance(v, bool)
            want = "true or false"
        elif isinstance(default, int):
            ok = isinstance(v, numbers.Integral) and not isinstance(v, bool)   # numpy integers too
            want = "a whole number"
        elif isinstance(default, float):
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
            want = "a number"
        else:
            ok = isinstance(v, str)
            want = "a string"
        if not ok:
            raise OptionError(f.name, f"option {f.name} takes {want}, not {v!r}")
        if isinstance(default, (int, float)) and not isinstance(default, bool) and type(v) is not type(default):
            v = plain[f.name] = type(default)(v)
        choices = f.metadata.get("choices")
        if choices and v not in choices:
            raise OptionError(f.name, f"option {f.name} must be one of {', '.join(choices)}, not {v!r}")
        bounds = f.metadata.get("bounds")
        if bounds is not None and v not in bounds:
            raise OptionError(f.name, f"option {f.name} (--{f.name.replace('_', '-')}) must be {_describe(bounds)}, "
                                      f"not {v!r}; the default is {default}")
    return dataclasses.replace(options, **plain) if plain else options


def _number(key: str, default: int | float, v: Any) -> int | float:
    """``v`` as the type of ``default``; ``ValueError`` for a non-number or a fraction given to a whole-number option."""
    if isinstance(v, bool):
        raise OptionError(key, f"option {key} takes a number, not {v!r}")
    try:
        f = float(v)
        if isinstance(default, int) and math.isfinite(f) and not f.is_integer():
            raise ValueError
        return type(default)(v) if isinstance(default, float) or not isinstance(v, float) else int(f)
    except (TypeError, ValueError, OverflowError):
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise OptionError(key, f"option {key} takes {kind}, not {v!r}") from None


def _describe(bounds: Interval) -> str:
    """``bounds`` in words, for error messages: ``in (0, 1]`` or ``>= 1``."""
    text = str(bounds)
    return f"in {text}" if text[0] in "([" else text
