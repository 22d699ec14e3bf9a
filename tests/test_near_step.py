"""The near-duplicate and exact-duplicate corpus steps, alone and inside a whole run."""
import gzip
import json
import os
import random

import pytest

from cleaner.config import Options
from cleaner.corpus.exact import ExactDuplicates
from cleaner.corpus.near import NearDuplicates
from cleaner.document import Document
from cleaner.engines.local.run import run

VOCAB = ("anchor barley cellar dormer ember fennel gable hollow indigo juniper kestrel lichen marrow nettle "
         "oriel pewter quince rampart saffron thistle umber vellum willow yarrow zither amber birch copper "
         "dapple elder flint garnet heron ivory jasper kelp linden moss nutmeg ochre pine quartz russet slate "
         "tansy vetch walnut").split()


def _words(rnd: random.Random, n: int) -> list[str]:
    return [rnd.choice(VOCAB) for _ in range(n)]


def _article(seed: int, n: int = 300) -> str:
    rnd = random.Random(seed)
    w = _words(rnd, n)
    return "\n\n".join(" ".join(w[i:i + 50]) for i in range(0, n, 50))


def _edit(text: str, rate: float, seed: int) -> str:
    rnd = random.Random(seed)
    out = [w[::-1] if rnd.random() < rate else w for w in text.split(" ")]
    return " ".join(out)


def _run_step(step, docs):
    for i, d in enumerate(docs):
        step.observe(i, d.id, step.fingerprint(d))
    step.decide()
    for i, d in enumerate(docs):
        step.apply(i, d)
    return {d.id: d for d in docs}


def test_near_duplicates_are_dropped_with_the_survivor_id_and_a_quoting_article_survives():
    a = _article(1)
    paras = a.split("\n\n")
    quoting = _article(2, 200) + "\n\n" + "\n\n".join(paras[1:3])  # quotes a third of a
    docs = [Document("a", None, a), Document("a-edited", None, _edit(a, 0.02, 3)),
            Document("a-cut", None, "\n\n".join(paras[:-1])), Document("quote", None, quoting),
            Document("other", None, _article(4))]
    out = _run_step(NearDuplicates(0.55), docs)
    assert out["a"].dropped is None
    for i in ("a-edited", "a-cut"):
        assert out[i].dropped == "near-duplicate" and out[i].drop_detail["duplicate_of"] == "a"
        assert 0.55 <= out[i].drop_detail["similarity"] <= 1.0
    assert out["quote"].dropped is None and out["other"].dropped is None


def test_cjk_copies_are_found_on_character_shingles_and_unrelated_cjk_texts_stay():
    story = ("河口小镇的渡轮公司宣布，从下周一开始早班船将提前二十分钟出发，以便在城里上班的居民能够准时到达。"
             "公司负责人说，这项调整是在收集了三百多份乘客意见之后决定的，周末的时刻表暂时保持不变。"
             "镇政府还计划明年在码头旁边修建一个有顶棚的候船区，让老人和带孩子的乘客不必在雨中排队。")
    copy = "【交通】" + story.replace("下周一", "四月一日").replace("暂时保持不变。", "暂时保持不变，票价也不会上涨。")
    others = ["山脚下的果园今年收获了大量苹果，果农们正在寻找新的销售渠道，有人尝试通过网络直播向外地顾客介绍自家的果子。",
              "新开的社区图书室每周三晚上举办读书会，参加的人从退休教师到中学生都有，大家轮流推荐最近读过的小说。",
              "气象台提醒，未来三天沿海地区将有强风和阵雨，出海作业的渔船应及时回港避风，并注意收听最新的天气预报。"]
    docs = [Document("zh-a", None, story), Document("zh-b", None, copy)] + [
        Document(f"zh-o{i}", None, t) for i, t in enumerate(others)]
    out = _run_step(NearDuplicates(0.55), docs)
    assert [i for i, d in out.items() if d.dropped] == ["zh-a"]  # zh-b has more shingles: it survives
    assert out["zh-a"].drop_detail["duplicate_of"] == "zh-b"


def test_short_texts_are_compared_exactly_and_do_not_collapse():
    heads = ["Ferry timetable changes for the winter season",
             "Ferry timetable changes for the summer season",
             "Bridge 2207 closed to lorries until the end of May",
             "Bridge 2208 closed to lorries until the end of May",
             "Lighthouse",
             "Harbour",
             "New bakery opens",
             "New bakery opens on Quay Street next week"]
    docs = [Document(f"h{i}", None, t) for i, t in enumerate(heads)]
    out = _run_step(NearDuplicates(0.55), docs)
    assert all(d.dropped is None for d in out.values())


def test_exact_duplicates_keep_the_smallest_id_whatever_the_order():
    texts = {"k2": "The quay reopens on Friday.", "k1": "the QUAY reopens on friday", "k3": "The quay reopens, on Friday!",
             "k4": "The quay reopens on Saturday."}
    for order in (["k2", "k1", "k3", "k4"], ["k4", "k3", "k1", "k2"]):
        out = _run_step(ExactDuplicates(), [Document(i, None, texts[i]) for i in order])
        assert {i for i, d in out.items() if d.dropped} == {"k2", "k3"}
        assert out["k3"].drop_detail == {"duplicate_of": "k1", "similarity": 1.0}


def _write(path, records):
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _records():
    recs = []
    for k in range(6):
        base = _article(100 + k, 220)
        recs.append({"id": f"n{k}-0", "url": f"https://site{k % 3}.test/p/{k}", "text": base})
        for v in range(k % 3):
            recs.append({"id": f"n{k}-{v + 1}", "url": f"https://mirror{v}.test/{k}", "text": _edit(base, 0.02, k * 10 + v)})
    recs.append({"id": "x-short-1", "text": "Quay closed"})
    recs.append({"id": "x-short-2", "text": "Quay closed!"})
    return recs


def _read(outdir, prefix):
    out = []
    for name in sorted(os.listdir(outdir)):
        if name.startswith(prefix):
            with gzip.open(os.path.join(outdir, name), "rt", encoding="utf-8") as fh:
                out += [json.loads(line) for line in fh]
    return out


def test_a_run_is_byte_identical_twice_and_independent_of_input_order(tmp_path):
    recs = _records()
    _write(tmp_path / "a.jsonl", recs)
    shuffled = list(recs)
    random.Random(7).shuffle(shuffled)
    _write(tmp_path / "b.jsonl", shuffled)
    opts = Options(workers=1, progress=False)
    run([str(tmp_path / "a.jsonl")], opts, str(tmp_path / "o1"))
    run([str(tmp_path / "a.jsonl")], opts, str(tmp_path / "o2"))
    run([str(tmp_path / "b.jsonl")], opts, str(tmp_path / "o3"))
    for name in os.listdir(tmp_path / "o1"):
        if name.startswith(("clean", "dropped")):
            assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes()
    kept1 = sorted(r["id"] for r in _read(tmp_path / "o1", "clean"))
    kept3 = sorted(r["id"] for r in _read(tmp_path / "o3", "clean"))
    assert kept1 == kept3
    drop1 = sorted((r["id"], r["duplicate_of"], r["similarity"]) for r in _read(tmp_path / "o1", "dropped"))
    drop3 = sorted((r["id"], r["duplicate_of"], r["similarity"]) for r in _read(tmp_path / "o3", "dropped"))
    assert drop1 == drop3
    # every cluster kept exactly one member; the short pair is an exact duplicate
    assert {i.split("-")[0] for i in kept1 if i.startswith("n")} == {f"n{k}" for k in range(6)}
    assert ("x-short-2", "x-short-1", 1.0) in drop1
    report = json.loads((tmp_path / "o1" / "report.json").read_text())
    assert report["corpus_steps"]["near-dup"]["dropped_documents"] == len([d for d in drop1 if d[2] < 1.0])


def test_the_duplicate_indexes_keep_a_few_bytes_a_document_in_memory(tmp_path):
    rnd = random.Random(3)
    near, exact = NearDuplicates(0.55, workdir=str(tmp_path)), ExactDuplicates(str(tmp_path))
    n = 3000
    for i in range(n):
        d = Document(f"d{i}", None, " ".join(_words(rnd, 12)))
        near.observe(i, d.id, near.fingerprint(d))
        exact.observe(i, d.id, exact.fingerprint(d))
    near.decide()
    exact.decide()
    assert near.report()["indexed_documents"] == n
    assert near.index_bytes() / n <= 5      # the shingle count; band keys, signatures, sketches on disk
    assert exact.index_bytes() / n <= 9.5   # the text key; ordinals and ids on disk
    assert near.disk_bytes() >= n * 4 * (near.hasher.num_perm + near.bands)


def test_bad_threshold_is_refused_with_the_option_name():
    with pytest.raises(ValueError, match="near_dup_jaccard"):
        NearDuplicates(1.5)
