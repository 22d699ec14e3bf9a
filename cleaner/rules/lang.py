"""Which languages' chrome rules a page needs: a cheap guess from scripts and stop words.

Rules are tagged with a language; running German rules on a Japanese page costs time and
finds nothing. :func:`page_languages` answers conservatively: language-free (``*``) and
English rules always run (English chrome, "Share", "Cookie settings", appears on pages in
every language); another language runs when its script or enough of its stop words occur,
and every language runs on a page too short to judge.
"""
from __future__ import annotations

from .pattern_cache import compile_pattern

#: Pages with fewer words than this run the rules of every language.
MIN_WORDS_TO_JUDGE = 40
#: A language is present when at least this share of a page's words are its stop words ...
MIN_STOPWORD_SHARE = 0.02
#: ... or at least this many of them occur.
MIN_STOPWORDS = 8
#: Characters of the page looked at (the start is enough to tell).
SAMPLE_CHARS = 5_000
#: Kana or Han characters from which a page counts as Japanese / Chinese.
MIN_SCRIPT_CHARS = 4

#: Below this code point no character is kana or Han (CJK radicals start the block).
CJK_START = "\u2e80"

#: Frequent function words that are rare in the other languages we ship rules for.
STOPWORDS = {
    "de": frozenset("und der die das nicht ist ein eine mit auf für sich dem den des von zu im bei auch wird sind wir sie".split()),
    "fr": frozenset("le la les des est une et du dans pour qui que sur pas au aux ce cette sont nous vous avec".split()),
    "es": frozenset("el la los las y del que en un una es por con para se al lo como más pero sus".split()),
    "en": frozenset("the and of to is in that for it with as was on are be this by".split()),
}
#: Every tag :func:`page_languages` can answer: a rule tagged otherwise never runs on a page.
KNOWN_LANGUAGES = frozenset({"*", "ja", "zh", *STOPWORDS})
_KANA = compile_pattern(r"[\p{Hiragana}\p{Katakana}]", 0)
_HAN = compile_pattern(r"\p{Han}", 0)


#: ``language_score`` (0-1) from which the document's identified language (:mod:`cleaner.page.language`)
#: replaces the stop-word guess; below it, the stop words decide.
MIN_CONFIDENT_SCORE = 0.9


def page_languages(text: str, language: str | None = None, score: float | None = None) -> frozenset[str]:
    """Language tags whose rules should run on ``text`` (always including ``*`` and ``en``).

    Returns sets such as ``{"*", "en", "de"}``; a page too short to judge (and not in a
    script without spaces) gets every tag in :data:`STOPWORDS` plus ``ja`` and ``zh``.
    ``language``/``score``: the document's identified language; when the score is at least
    :data:`MIN_CONFIDENT_SCORE` on a page long enough to judge, that language stands in for
    the stop-word guess (kana and Han characters still add ``ja`` / ``zh``).
    """
    sample = text[:SAMPLE_CHARS]
    langs = {"*", "en"}
    no_cjk = not sample or max(sample) < CJK_START  # one C-level pass; most pages stop here
    kana = 0 if no_cjk else len(_KANA.findall(sample))
    han = 0 if no_cjk else len(_HAN.findall(sample))
    if kana >= MIN_SCRIPT_CHARS:
        langs.add("ja")       # Japanese always writes some kana
    elif han >= MIN_SCRIPT_CHARS:
        langs.add("zh")       # Han characters without kana
    words = sample.casefold().split()
    if len(words) < MIN_WORDS_TO_JUDGE and han < MIN_SCRIPT_CHARS:
        return frozenset(langs | set(STOPWORDS) | {"ja", "zh"})
    if language and score is not None and score >= MIN_CONFIDENT_SCORE:
        return frozenset(langs | {language})
    for lang, stop in STOPWORDS.items():
        n = sum(1 for w in words if w in stop)
        if n >= MIN_STOPWORDS or (words and n >= MIN_STOPWORD_SHARE * len(words)):
            langs.add(lang)
    return frozenset(langs)
