"""In-page duplicates: every threshold at its boundary, the guards for intentional repetition,
keep-first order, the LSH path against the exact path, idempotence."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

import cleaner.page.duplicates as inpage
from cleaner.page.block_similarity import LSHFactory, char_shingles, jaccard
from cleaner.page.duplicates import (InPageDuplicates, MIN_CONTAINED_CHARS, MIN_NEAR_WORDS, MIN_PARAGRAPH_WORDS,
                                  MIN_REPEAT_WORDS, NEAR_MAX_LENGTH_RATIO)
from cleaner.document import Document, apply_spans
from cleaner.rules.text_shape import word_count

LONG_A = ("The ferry company will add an early crossing on weekdays from June, so that commuters from the island "
          "reach the mainland station before the first fast train leaves at seven.")
LONG_B = ("Parents at the primary school collected more than two hundred coats for the winter charity drive, "
          "twice as many as last year, and the local bakery paid for the delivery van.")
LONG_C = ("A survey of the old harbour wall found three places where the stones have moved, and engineers want "
          "to repair them before the storms of late autumn make the work much more dangerous.")


def words(n: int, seed: str = "w") -> str:
    """A line of exactly ``n`` distinct words, no sentence end."""
    return " ".join(f"{seed}{chr(97 + i % 26)}{i}" for i in range(n))


def run(text: str, **kw):
    doc = Document("t", None, text)
    spans = list(InPageDuplicates(**kw).mark(doc))
    return spans, apply_spans(text, spans)


def count(text: str, needle: str) -> int:
    return [ln.strip() for ln in text.splitlines()].count(needle)


# ------------------------------------------------------------------ length thresholds


def test_word_counting_is_letters_only():
    assert word_count("10:00 AM - 8:00 PM") == 2
    assert word_count(words(7)) == 7
    assert word_count("年に一度確認する") == 4  # 8 characters without spaces, two a word


@pytest.mark.parametrize("n, kept_twice", [(MIN_REPEAT_WORDS - 1, True), (MIN_REPEAT_WORDS, False)])
def test_back_to_back_repeat_boundary(n, kept_twice):
    line = words(n)
    _, out = run(f"{LONG_A}\n{line}\n{line}\n{LONG_B}")
    assert count(out, line) == (2 if kept_twice else 1)


@pytest.mark.parametrize("n, kept_twice", [(MIN_PARAGRAPH_WORDS - 1, True), (MIN_PARAGRAPH_WORDS, False)])
def test_distant_repeat_boundary(n, kept_twice):
    """A sentence repeated with other lines between is a duplicate from paragraph length on (a refrain stays)."""
    line = words(n) + "."
    _, out = run(f"{line}\n{LONG_A}\n{LONG_B}\n{line}")
    assert count(out, line) == (2 if kept_twice else 1)


def test_long_line_that_is_not_a_sentence_repeats_at_a_distance_on_purpose():
    """Product names in a listing, compiler messages: not sentences, kept when not close to their copy."""
    name = "Harbour Flex: adjustable four-arm monitor mount for desks up to eight centimetres thick"
    text = f"{name}\nPrice: 120\n{LONG_A}\n{name}\nPrice: 140\n{LONG_B}"
    spans, _ = run(text)
    assert spans == []


@pytest.mark.parametrize("extra, kept", [(0, True), (MIN_NEAR_WORDS - 20, False)])
def test_near_copy_needs_min_near_words(extra, kept):
    base = words(19, "p") + " " + words(extra, "q") + " harbour."
    variant = base.replace("pa0", "zz0")
    assert (word_count(base) < MIN_NEAR_WORDS) == kept
    assert jaccard(char_shingles(base), char_shingles(variant)) >= 0.8
    _, out = run(f"{base}\n{LONG_A}\n{variant}")
    assert count(out, variant) == (1 if kept else 0)


def test_short_lines_never_go_however_often_they_repeat():
    text = "Reading room hours\nMon\nClosed\nTue\nClosed\nWed\n10:00 AM - 8:00 PM\nThu\n10:00 AM - 8:00 PM"
    spans, out = run(text)
    assert spans == [] and out == text


# ------------------------------------------------------------------ repeated headline with a section label


def test_headline_repeated_around_a_section_label():
    head = "Harbour town votes to keep its ferry running through the winter"
    text = f"{head}\n\nNews\n\n{head}\nNews\n\nNews\n\n{head}\n\n{LONG_A}"
    spans, out = run(text)
    assert out == f"{head}\n\n{LONG_A}"
    assert sorted({s.rule for s in spans}) == ["chrome.section-label@1", "dup.headline@1"]
    assert all("line 1 (offset 0)" in s.detail for s in spans)


def test_alternating_labels_are_a_key_value_list_not_a_headline():
    value = "Open from nine in the morning until five"
    text = f"Opening times\nMon\n{value}\nTue\n{value}\nWed\n{value}"
    spans, _ = run(text)
    assert spans == []


def test_two_different_labels_between_copies_are_not_one_section_label():
    head = "Harbour town votes to keep its ferry running"
    _, out = run(f"{head}\nNews\nSport\n{head}\n{LONG_A}")
    assert count(out, head) == 2


# ------------------------------------------------------------------ captions and intentional repetition


def test_caption_printed_twice_back_to_back_or_across_a_blank_line():
    cap = "Volunteers paint the new mural on the station wall."
    for sep in ("\n", "\n\n"):
        spans, out = run(f"{LONG_A}\n{cap}{sep}{cap}\n{LONG_B}")
        assert count(out, cap) == 1
        assert [s.rule for s in spans] == ["dup.caption@1"]


def test_caption_with_a_credit_added_is_a_near_copy():
    cap = "Volunteers paint the new mural on the station wall."
    _, out = run(f"{LONG_A}\n{cap}\n{cap} (Photo: J. Berg)\n{LONG_B}")
    assert cap in out and "(Photo: J. Berg)" not in out


def test_heading_followed_by_a_paragraph_that_starts_with_it_is_not_a_copy():
    head = "How the ferry timetable changes in June"
    para = head + " is the question most readers asked, and the answer is simpler than it looks at first."
    assert len(para) > NEAR_MAX_LENGTH_RATIO * len(head)
    spans, _ = run(f"{head}\n{para}")
    assert spans == []


def test_doubled_line_inside_verse_stays_but_a_gallery_of_doubled_captions_goes():
    poem = ("Wind in the reeds and the water is cold,\nthe boats come home with the tide,\n"
            "Softly the bells of the harbour are ringing,\nSoftly the bells of the harbour are ringing,\n"
            "and the gulls settle down side by side.")
    spans, _ = run(poem)
    assert spans == []
    a, b = "Boats wait in the harbour for the tide.", "Children watch the ferry from the pier."
    _, out = run(f"{LONG_A}\n{a}\n{a}\n{b}\n{b}\n{LONG_B}")
    assert count(out, a) == 1 and count(out, b) == 1


def test_refrain_separated_by_verse_stays():
    refrain = "Row the boat, row the boat home,"
    text = f"{refrain}\nthe night is dark and long.\n{refrain}\nthe wind will carry the song.\n{refrain}"
    spans, _ = run(text)
    assert spans == []


# ------------------------------------------------------------------ paragraphs, near copies, keep-first


def test_paragraph_printed_twice_keeps_the_first_copy():
    text = f"{LONG_A}\n{LONG_B}\n{LONG_C}\n{LONG_A}\n{LONG_B}"
    spans, out = run(text)
    assert out.splitlines() == [LONG_A, LONG_B, LONG_C]
    assert all(s.rule == "dup.paragraph@1" for s in spans)
    assert spans[0].start == text.index(LONG_A, 1) and "line 1 (offset 0)" in spans[0].detail


def test_a_question_put_to_every_guest_is_a_template_not_a_duplicate():
    q = "Which dish from your childhood would you still cook for friends on a cold winter evening?"
    answers = ["Lentil soup with lemon, because my grandmother made it every Friday.",
               "Potato dumplings, though mine never turn out as light as my father's did.",
               "Fish stew, the way they make it in the harbour town where I grew up."]
    text = "\n".join(f"Guest {n}\n{q}\n{a}" for n, a in enumerate(answers))
    spans, _ = run(text)
    assert spans == []
    twice = "\n".join(f"Guest {n}\n{q}\n{a}" for n, a in enumerate(answers[:2]))
    spans, _ = run(twice)                       # two copies: the plain duplicate rule applies
    assert [s.rule for s in spans] == ["dup.paragraph@1"]


def test_a_body_printed_three_times_is_still_a_duplicate():
    body = f"{LONG_A}\n{LONG_B}"
    _, out = run("\n".join([body] * 3))
    assert out == body


def _edit(text: str, k: int) -> str:
    """``text`` with its first ``k`` words replaced."""
    ws = text.split()
    return " ".join([f"zz{i}" for i in range(k)] + ws[k:])


@pytest.mark.parametrize("k", range(0, 9))
def test_near_copy_follows_the_jaccard_threshold(k):
    """Whatever the edit, a paragraph goes exactly when its char 5-gram Jaccard reaches the threshold."""
    other = _edit(LONG_A, k)
    sim = jaccard(char_shingles(LONG_A), char_shingles(other))
    _, out = run(f"{LONG_A}\n{LONG_B}\n{other}", jaccard_threshold=0.8)
    assert (count(out, other) == (1 if other == LONG_A else 0)) == (sim >= 0.8)


def test_near_copies_exist_on_both_sides_of_the_threshold():
    sims = [jaccard(char_shingles(LONG_A), char_shingles(_edit(LONG_A, k))) for k in range(9)]
    assert min(sims) < 0.8 <= max(sims)


def test_japanese_paragraphs_without_spaces_are_compared_by_characters():
    para = ("年に一度、持ち出し袋の中身を家族で確認する習慣をつけると、期限切れや不足に早く気づくことができます。"
            "水と食料は消費期限が短いので、日付を書いたメモを袋の外側に貼っておくと便利です。")
    assert word_count(para) >= MIN_NEAR_WORDS
    variant = para.replace("家族", "家庭")
    assert jaccard(char_shingles(para), char_shingles(variant)) >= 0.8
    _, out = run(f"{para}\n特に水と食料は消費期限が短いものが多いので注意しましょう。\n{variant}")
    assert variant not in out and para in out


# ------------------------------------------------------------------ contained fragments


def test_inline_code_repeated_after_its_paragraph_goes():
    para = "Install it with `pip install harbourtool` and then run harbourtool --check to see the version."
    spans, out = run(f"{para}\npip install harbourtool\nharbourtool --check\n{LONG_A}")
    assert out == f"{para}\n{LONG_A}"
    assert [s.rule for s in spans] == ["dup.contained@1", "dup.contained@1"]


def test_a_heading_that_a_paragraph_mentioned_stays():
    text = "The steps are explained in the section Installation below, with screenshots.\nInstallation"
    spans, _ = run(text)
    assert spans == []
    text = ("This is my list of the best harbour walks on the east coast, in no particular order.\n"
            "Best harbour walks on the east coast:\nThe lighthouse loop")
    spans, _ = run(text)
    assert spans == []


def test_a_sentence_repeated_as_a_pull_quote_goes():
    quote = "Nobody believes a timetable until the boat arrives."
    para = f"The harbour master laughed at the question. {quote} Then he showed us the logbook from last winter."
    spans, _ = run(f"{para}\n{quote}\n{LONG_A}")
    assert [s.rule for s in spans] == ["dup.contained@1"]


def test_first_line_of_a_code_block_the_paragraph_introduced_stays():
    text = ("Add the web starter inside <dependencies> in your pom.xml file:\n<dependencies>\n"
            "<dependency><groupId>org.example</groupId></dependency>\n</dependencies>")
    spans, _ = run(text)
    assert spans == []


@pytest.mark.parametrize("frag, kept", [("x" * (MIN_CONTAINED_CHARS - 1), True), ("x" * MIN_CONTAINED_CHARS, False)])
def test_contained_minimum_length(frag, kept):
    para = f"Set the option to {frag} in the file and restart the service before the next run of the job."
    spans, _ = run(f"{para}\n{frag}")
    assert (spans == []) == kept


def test_contained_block_must_be_much_shorter_than_its_container():
    para = "run harbourtool --check now"
    spans, _ = run(f"{para}\nharbourtool --check now")
    assert spans == []


# ------------------------------------------------------------------ code, tables, LSH, idempotence


def test_code_and_table_rows_are_never_duplicates():
    code = "    return compute_the_total_of_every_invoice_line(items, tax_rate, discount, currency)"
    row = "| Ferry | Daily | Every hour from seven in the morning until ten at night |"
    text = f"{LONG_A}\n{code}\n{LONG_B}\n{code}\n{row}\n{row}"
    spans, _ = run(text)
    assert spans == []


def _page(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(400)]
    paras = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(15, 40))) for _ in range(n)]
    for _ in range(n // 5):  # near copies: one word changed
        p = paras[rnd.randrange(len(paras))].split()
        p[rnd.randrange(len(p))] = "changed"
        paras.insert(rnd.randrange(len(paras) + 1), " ".join(p))
    return "\n".join(paras)


def test_lsh_path_finds_what_the_exact_path_finds():
    text = _page(80, 7)
    exact, _ = run(text, exact_max=10_000)
    lsh, _ = run(text, exact_max=4)
    assert exact, "the page should hold near copies"
    key = lambda s: (s.start, s.end, s.rule)  # noqa: E731
    assert sorted(map(key, lsh)) == sorted(map(key, exact))


def test_lsh_bands_make_pairs_at_the_threshold_candidates():
    factory = LSHFactory(0.8, 42)
    assert factory.candidate_probability(0.8) > 0.999
    assert factory.candidate_probability(0.1) < 0.01


def test_same_input_same_spans():
    text = _page(30, 3)
    a, _ = run(text)
    b, _ = run(text)
    assert a == b


POOL = [LONG_A, LONG_B, LONG_C, "Volunteers paint the new mural on the station wall.", "News", "Mon", "Closed",
        "Harbour town votes to keep its ferry running", "pip install harbourtool",
        "Install it with pip install harbourtool today, then read the guide on the website.", "Slowly, slowly.",
        "Row the boat, row the boat home,", ""]


def settled(text: str) -> tuple[list, str]:
    """The marker as the pipeline runs it: once, then :class:`Settle` until nothing new."""
    from cleaner.page.settle import Settle
    marker = InPageDuplicates()
    doc = Document("t", None, text)
    marker(doc)
    Settle([marker], after=("dup.",))(doc)
    return doc.removed, apply_spans(text, doc.removed)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=14))
def test_cleaning_clean_text_finds_nothing_more(lines):
    """Idempotence as the pipeline has it: removing a copy can make two other lines neighbours
    (a caption doubled beside a refrain that the removal turns into a doubled line), which
    Settle's next round judges; cleaning the result again finds nothing."""
    text = "\n".join(lines)
    _, once = settled(text)
    spans, twice = settled(once)
    assert spans == [] and twice == once


def test_a_removal_that_makes_new_neighbours_is_settled():
    """The case hypothesis found: the refrain 'pip install' becomes a doubled line only once the
    repeated paragraph between its copies goes, and then the doubled caption is no verse."""
    lines = [LONG_A, "Harbour town votes to keep its ferry running", "Volunteers paint the new mural on the station wall.",
             "Volunteers paint the new mural on the station wall.", "pip install harbourtool", LONG_A,
             "pip install harbourtool"]
    _, once = settled("\n".join(lines))
    assert count(once, "Volunteers paint the new mural on the station wall.") == 1
    assert settled(once)[0] == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(POOL[:4] + POOL[7:8]), min_size=1, max_size=10)
       .filter(lambda ls: max(Counter(ls).values()) <= inpage.MAX_PLAIN_COPIES))
def test_first_copy_of_each_long_block_is_the_one_kept(lines):
    """Without templates (more than MAX_PLAIN_COPIES copies), only the first copy of a paragraph stays."""
    text = "\n".join(lines)
    _, out = run(text)
    kept = [ln for ln in out.splitlines() if ln.strip()]
    first = list(dict.fromkeys(ln for ln in lines if word_count(ln) >= MIN_PARAGRAPH_WORDS))
    assert [ln for ln in kept if word_count(ln) >= MIN_PARAGRAPH_WORDS] == first


def test_constants_are_ordered_sensibly():
    assert 0 < inpage.MIN_REPEAT_WORDS < inpage.MIN_PARAGRAPH_WORDS <= inpage.MAX_HEADLINE_WORDS
    assert 0 < inpage.MAX_CONTAINED_SHARE < 1 and inpage.NEAR_CONTAINMENT <= 1


def test_a_paragraph_printed_twice_in_a_row_is_named_a_paragraph_not_a_caption():
    """Back to back, a short sentence is a caption printed twice (alt text, figcaption); a
    sentence of paragraph length is a doubled paragraph, and explain must say so."""
    assert word_count(LONG_A) >= MIN_PARAGRAPH_WORDS
    spans, _ = run(f"{LONG_B}\n\n{LONG_A}\n\n{LONG_A}\n\n{LONG_C}")
    assert [s.rule for s in spans] == ["dup.paragraph@1"]
    caption = "Firefighters at the harbour wall on Tuesday."
    assert word_count(caption) < MIN_PARAGRAPH_WORDS
    spans, _ = run(f"{LONG_B}\n\n{caption}\n{caption}\n\n{LONG_C}")
    assert [s.rule for s in spans] == ["dup.caption@1"]
