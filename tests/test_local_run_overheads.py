"""What a local run does besides the per-document work, made cheaper without changing its output:
one listing of the inputs, workers started before the driver reads, the first chunk handed over
early, the spool files' documents kept by the driver for the later passes, wider pipes."""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing as mp
import sys

import pytest

from cleaner.config import Options
from cleaner.engines.local import ahead as ahead_mod
from cleaner.engines.local import passes
from cleaner.engines.local import pool as pool_mod
from cleaner.engines.local import procs
from cleaner.engines.local import run as local_run
from cleaner.engines.local.run import run
from cleaner.engines.spool import RecordResult, read_spool, write_spool
from cleaner.io import listing
from cleaner.io.writers import dumps

from conftest import PARAGRAPHS, page_html, read_outputs
from test_fingerprints_ahead import _corpus


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, spool_batch_records=8, workers=1), **kw)


def _pages(root, n: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = [f"Page {i}: {p}" for p in PARAGRAPHS[i % 3:i % 3 + 3]]
        (root / f"p{i:03d}.html").write_text(page_html(f"Harbour page {i}", paras), encoding="utf-8")


def test_a_run_walks_its_inputs_once(tmp_path, monkeypatch):
    _pages(tmp_path / "in", 5)
    walks = []
    real = listing._list_inputs
    monkeypatch.setattr(listing, "_list_inputs", lambda *a: (walks.append(a), real(*a))[1])
    run([str(tmp_path / "in")], _opts(), str(tmp_path / "out"))
    assert len(walks) == 1   # the check, the resume key, the page files and the reading share it
    assert listing._KEPT is None   # and the run keeps nothing once it is over
    listing.list_inputs([str(tmp_path / "in")])
    assert len(walks) == 2


def test_a_kept_listing_is_given_as_a_copy_and_warnings_are_still_printed(tmp_path, capsys):
    _pages(tmp_path / "in", 2)
    (tmp_path / "in" / "p000.html").rename(tmp_path / "in" / "a.html")
    inputs = [str(tmp_path / "in"), str(tmp_path / "in" / "a.html")]
    with listing.listings_kept():
        first = listing.list_inputs(inputs)
        first.append(("x", "y"))
        assert listing.list_inputs(inputs) == first[:-1]
        listing.list_inputs(inputs, warn=True)   # warn: listed again, so that it says what it leaves out
        assert "listed more than once" in capsys.readouterr().err
        assert listing.list_inputs([str(tmp_path / "in")]) == first[:2]   # other inputs: their own listing
    assert listing._KEPT is None


def test_the_driver_reads_kept_documents_as_the_spool_gives_them(tmp_path):
    path = str(tmp_path / "pass1-000000.jsonl.zst")
    outs = [RecordResult(reject={"source": "a", "position": 0, "id": "a", "kind": "failed", "error": "x"})]
    from cleaner.document import Document, Span
    from cleaner.pipeline import build_corpus_steps
    first_step = build_corpus_steps(_opts())[0]
    for i in range(3):
        doc = Document(f"d{i}", f"https://e.org/{i}", f"text {i} \ud800 é\n\nand more words here {i}",
                       metadata={"m": {"k": [1, 2]}}, removed=[Span(0, 2, "chrome.x@1", "d")],
                       dropped="short" if i == 1 else None)
        outs.append(RecordResult(doc=doc, fingerprint=first_step.fingerprint(doc), seconds={"s": 0.5}))
    write_spool(path, lines=[dumps(o.to_json()) for o in outs])
    ahead = ahead_mod.FingerprintsAhead(_opts())
    ahead.add(path, 0)
    kept = ahead.outcomes(0)
    as_read = list(read_spool(path))
    assert [o.__dict__ if o.doc is None else (o.doc.to_json(), o.fingerprint, o.seconds) for o in kept] == \
        [o.__dict__ if o.doc is None else (o.doc.to_json(), o.fingerprint, o.seconds) for o in as_read]
    kept[1].doc.metadata["m"]["k"].append(3)   # a pass that changes a document changes its own copy only
    kept[1].doc.removed.append(None)
    again = ahead.outcomes(0)
    assert again[1].doc.metadata == {"m": {"k": [1, 2]}} and len(again[1].doc.removed) == 1
    prints = ahead.get(0)
    assert prints.n == 3 and prints.positions == [0, 2] and prints.ids == ["d0", "d2"]
    assert prints.prints[0] == [as_read[1].fingerprint, as_read[3].fingerprint]   # step 0's: pass 1's
    ahead.forget_docs(0)
    assert ahead.outcomes(0) is None and ahead.doc_bytes == 0
    none_kept = ahead_mod.FingerprintsAhead(_opts(), max_doc_bytes=0)
    none_kept.add(path, 0)
    assert none_kept.outcomes(0) is None and none_kept.get(0) is not None


def test_with_documents_kept_no_pass_reads_a_spool_file_and_the_bytes_are_the_same(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: True)   # no core to spare: nothing kept
    run([str(inp)], _opts(), str(tmp_path / "plain"))
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: False)
    monkeypatch.setattr(local_run, "_waiting", lambda running, rest=(): True)
    reads = []
    real = passes.read_spool
    monkeypatch.setattr(passes, "read_spool", lambda path: (reads.append(path), real(path))[1])
    run([str(inp)], _opts(), str(tmp_path / "kept"))
    assert reads == []
    assert read_outputs(tmp_path / "kept") == read_outputs(tmp_path / "plain") != {}
    monkeypatch.setattr(ahead_mod, "MAX_DOC_BYTES", 1)   # the first spool file fills the budget
    run([str(inp)], _opts(), str(tmp_path / "budget"))
    assert reads and not any(p.endswith("pass1-000000.jsonl.zst") for p in reads)
    assert len(set(reads)) == 12 - 1   # 90 records, 8 a file: all but the first read again
    assert read_outputs(tmp_path / "budget") == read_outputs(tmp_path / "plain")


def test_workers_start_before_the_listing_on_a_fresh_spool_only(tmp_path, monkeypatch):
    _pages(tmp_path / "in", 3)
    order = []
    monkeypatch.setattr(pool_mod.WorkerPool, "start", lambda self: order.append("start"))
    real_pages = local_run.page_files
    monkeypatch.setattr(local_run, "page_files", lambda *a, **k: (order.append("pages"), real_pages(*a, **k))[1])
    run([str(tmp_path / "in")], _opts(), str(tmp_path / "out"))
    assert order == ["start", "pages"]
    work = tmp_path / "w"
    assert local_run._prepare_workdir(str(work), "k1") is True   # new
    assert local_run._prepare_workdir(str(work), "k1") is True   # no spool file yet
    (work / "pass1-000000.jsonl.zst").write_bytes(b"")
    assert local_run._prepare_workdir(str(work), "k1") is False   # some to resume: the workers start when needed
    assert local_run._prepare_workdir(str(work), "k2") is True    # another run's: emptied
    assert not (work / "pass1-000000.jsonl.zst").exists()


def test_chunks_are_handed_over_as_read_in_input_order_the_first_one_small(tmp_path, monkeypatch):
    _pages(tmp_path / "in", 45)
    chunks = []
    real = pool_mod.WorkerPool.submit
    monkeypatch.setattr(pool_mod.WorkerPool, "submit", lambda self, items: (chunks.append(items), real(self, items))[1])
    opts = _opts(spool_batch_records=64, batch_size=16)
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: False)
    run([str(tmp_path / "in")], opts, str(tmp_path / "one"))
    ids = [it.id for c in chunks for it in c]
    assert ids == sorted(ids) and len(ids) == 45
    # one spool file, which is also the last: chunks of one record
    assert [len(c) for c in chunks] == [1] * 45
    chunks.clear()
    _pages(tmp_path / "in", 150)
    run([str(tmp_path / "in")], opts, str(tmp_path / "many"))
    sizes = [len(c) for c in chunks]
    assert sizes[:5] == [local_run.FIRST_CHUNK_RECORDS, 16, 16, 16, 12]   # 64 a file, 16 a chunk
    assert sizes[-22:] == [1] * 22   # the last file (150 = 2 * 64 + 22)
    ids = [it.id for c in chunks for it in c]
    assert ids == sorted(ids) and len(ids) == 150
    assert read_outputs(tmp_path / "many") != {}


def test_a_resumed_run_reads_past_finished_spool_files(tmp_path, monkeypatch):
    _pages(tmp_path / "in", 30)
    opts = _opts()
    run([str(tmp_path / "in")], opts, str(tmp_path / "plain"))
    real_close = passes.corpus_passes

    def stop(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(passes, "corpus_passes", stop)
    with pytest.raises(KeyboardInterrupt):
        run([str(tmp_path / "in")], opts, str(tmp_path / "out"))
    monkeypatch.setattr(passes, "corpus_passes", real_close)
    work = tmp_path / "out" / ".work"
    spools = sorted(p.name for p in work.glob("pass1-*.jsonl.zst"))
    assert len(spools) == 4
    (work / spools[2]).unlink()   # one file to redo, between two finished ones
    submitted = []
    real = pool_mod.WorkerPool.submit
    monkeypatch.setattr(pool_mod.WorkerPool, "submit", lambda self, items: (submitted.append(items), real(self, items))[1])
    res = run([str(tmp_path / "in")], opts, str(tmp_path / "out"))
    assert res.report["run"]["batches_resumed"] == 3
    assert [it.id for c in submitted for it in c] == [f"p{i:03d}.html" for i in range(16, 24)]
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "plain")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_pool_pipes_are_widened():
    import fcntl
    ex = cf.ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
    try:
        procs.widen_pipes(ex)
        size = fcntl.fcntl(ex._call_queue._writer.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032))
        assert size >= min(procs.PIPE_BYTES, int(open("/proc/sys/fs/pipe-max-size").read()))
        assert ex.submit(sum, [1, 2]).result() == 3
    finally:
        ex.shutdown()
    procs.widen_pipes(object())   # nothing to widen: nothing done


def test_chunks_added_one_at_a_time_give_what_the_whole_file_gives(tmp_path):
    from cleaner.engines.spool import spool_frame
    from cleaner.io.readers import iter_records
    from cleaner.engines.document_work import DocumentProcessor
    inp = tmp_path / "in.jsonl"
    _corpus(inp, 20)
    opts = _opts()
    proc = DocumentProcessor(opts)
    lines = [dumps(proc(r).to_json()) for r in iter_records([str(inp)], opts)]
    frames = [spool_frame(lines[i:i + 3]) for i in range(0, len(lines), 3)]
    path = str(tmp_path / "pass1-000000.jsonl.zst")
    write_spool(path, frames=frames)
    whole, chunked = ahead_mod.FingerprintsAhead(opts), ahead_mod.FingerprintsAhead(opts)
    whole.add(path, 0)
    assert chunked.start_file(0)
    for i in range(0, len(frames), 2):
        chunked.add_frames(0, frames[i:i + 2])
    chunked.end_file(0)
    a, b = whole.get(0), chunked.get(0)
    assert (a.positions, a.ids, a.n) == (b.positions, b.ids, b.n) and a.n == 20
    import pickle
    assert pickle.dumps((a.prints, a.batches)) == pickle.dumps((b.prints, b.batches))
    assert [o.doc.to_json() for o in whole.outcomes(0)] == [o.doc.to_json() for o in chunked.outcomes(0)]
    dropped = ahead_mod.FingerprintsAhead(opts)
    dropped.start_file(1)
    dropped.add_frames(1, frames[:1])
    dropped.drop_file(1)
    dropped.end_file(1)   # a file dropped half-way is kept by none
    assert dropped.get(1) is None and dropped.outcomes(1) is None
