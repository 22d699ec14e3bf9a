"""The kinds of fault of issue 15, each from both sides: the chrome goes, content that looks like it stays.

Inputs are invented here. Rule kinds run through the whole rule set (``[[...]]`` marks exactly
what must go); the others through the function or the pipeline that owns them.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from cleaner.config import Options, load_options
from cleaner.document import Document, apply_spans
from cleaner.extract.main_content import extract
from cleaner.page.index_page import is_date_line, is_teaser_index
from cleaner.extract.list_numbers import item_label, unbullet_numbered
from cleaner.io.mojibake import repair_mojibake
from cleaner.pipeline import build_markers
from cleaner.engines.local.run import run

from test_rules_faults import assert_keeps, assert_marks_exactly

EN = ("The county library board met on Thursday evening and agreed to keep the branch in the old "
      "mill open for another two years, after residents handed in a petition with four thousand names.")
EN2 = ("Work on the roof starts in September, the board said, and readers can borrow books from the mobile "
       "library that will stand in the market square while the scaffolding is up.")
DE = ("Die Stadtbibliothek bleibt auch im Sommer am Samstag geöffnet, teilte die Verwaltung am Montag mit, "
      "und die Leser freuen sich über die längeren Öffnungszeiten.")
FR = ("La médiathèque restera ouverte le samedi tout l'été, a annoncé la mairie lundi, et les lecteurs se "
      "réjouissent de ces horaires plus longs.")
ES = ("La biblioteca municipal abrirá también los sábados durante el verano, anunció el ayuntamiento el "
      "lunes, y los lectores celebran el nuevo horario ampliado.")
ZH = "市图书馆今年夏天周六也将开放，市政府周一宣布了这一消息，读者们对延长开放时间感到高兴。"
JA = "市立図書館は夏の間も土曜日に開館すると、市が月曜日に発表しました。利用者からは喜びの声が上がっています。"

RULE_CASES = {
    # calls to action and social prompts in prose
    "en-prompt": f"{EN}\n[[Did you make this recipe? Tag us on Instagram @kitchennotes!]]\n"
                 f"[[Follow us on Twitter and Facebook for more recipes.]]\n{EN}",
    "en-prompt-sentences": f"{EN}\n[[Email Ann Berg at ann@example.org or follow her @annberg. Follow us on Facebook.]]",
    "de-prompt": f"{DE}\n[[Folgen Sie uns auf Instagram für mehr Rezepte!]]\n{DE}",
    "fr-prompt": f"{FR}\n[[Suivez-nous sur Instagram pour plus de recettes !]]\n{FR}",
    "es-prompt": f"{ES}\n[[¿Hiciste esta receta? ¡Etiquétanos en Instagram @cocina!]]\n{ES}",
    "zh-prompt": f"{ZH}\n[[关注我们的微信公众号，获取更多资讯。]]\n{ZH}",
    "ja-prompt": f"{JA}\n[[この記事が気に入ったらフォローしてね！]]\n{JA}",
    # photo credits, alone and at the end of a caption
    "en-credit": f"{EN}\n[[Photo: J. Doe/Reuters]]\nThe branch in the old mill at dusk.[[ (Photo: Lena Holm)]]\n{EN}",
    "de-credit": f"{DE}\n[[Foto: dpa]]\nDie Fähre legt am Abend ab.[[ (Foto: Anna Berg)]]\n{DE}",
    "fr-credit": f"{FR}\n[[Crédit photo : Jean Dupont]]\n{FR}",
    "es-credit": f"{ES}\n[[Foto: EFE]]\n{ES}",
    "zh-credit": f"{ZH}\n[[（摄影：林晓雯）]]\n食堂于周一正式开业。[[（王明 摄）]]\n{ZH}",
    "ja-credit": f"{JA}\n[[（撮影：山田太郎）]]\n{JA}",
    "any-copyright-agency": f"{EN}\n[[© AFP]]\n{EN}",
    # about-the-author boxes between two sections
    "en-author-box": f"{EN}\n[[About the author\nMaya Lind\nMaya Lind is a staff writer who covers county politics.]]\n"
                     f"What happens next\n{EN}",
    "de-author-box": f"{DE}\n[[Über die Autorin\nAnna Berg schreibt seit 2010 über Verkehr und Stadtplanung.]]\n"
                     f"Wie es weitergeht\n{DE}",
    "fr-author-box": f"{FR}\n[[À propos de l'auteur\nMarie Dupont est journaliste à Lyon depuis 2012.]]\nLa suite\n{FR}",
    "es-author-box": f"{ES}\n[[Sobre el autor\nJuan Pérez es periodista en Sevilla desde 2015.]]\nLo que sigue\n{ES}",
    "zh-author-box": f"{ZH}\n[[作者简介\n林晓雯，现为本报社会新闻部记者，长期关注社区养老。]]\n后续安排\n{ZH}",
    "ja-author-box": f"{JA}\n[[この記事を書いた人\n山田太郎\n地域ニュース担当の記者。2010年に入社し、図書館を取材している。]]\n"
                     f"今後の予定\n{JA}",
    # tag lists
    "en-tags": f"{EN}\n[[Tags: council, ferry, harbour]]",
    "en-tags-section": f"{EN}\n[[Tags\nlibrary, mill branch, county board]]",
    "de-tags": f"{DE}\n[[Schlagwörter: Bibliothek, Öffnungszeiten]]",
    "fr-tags": f"{FR}\n[[Étiquettes : médiathèque, horaires]]",
    "es-tags": f"{ES}\n[[Etiquetas: biblioteca, verano]]",
    "zh-tags": f"{ZH}\n[[标签：图书馆 开放时间]]",
    "ja-tags": f"{JA}\n[[タグ：図書館 開館時間]]",
}

LOOKALIKE_CONTENT = [
    "Follow us on our journey through the Alps in the next chapter.\nShare the dough into four balls.",
    "She asked readers to leave a comment on the council's website before Friday.",
    "Photo: the new bridge at dusk, seen from the harbour wall, shortly before the opening ceremony began.",
    "Pictures of the storm spread quickly.\nThe mayor (photo) spoke at the quay.",
    "About the study\nThe study ran for three years.",
    "Folgen Sie uns in den Wald, sagte der Förster, dann zeigen wir Ihnen die Spuren.\nTeilen Sie den Teig in vier Stücke.",
    "Foto: Die neue Brücke bei Nacht, kurz vor der Eröffnung, aufgenommen vom Hafen aus.",
    "Suivez le chemin jusqu'au lac, puis tournez à gauche.\nPartagez la pâte en quatre boules.",
    "Siguió el camino hasta el lago.\nComparte la masa en cuatro bolas.",
    "市民普遍关注食堂的价格和菜品。\n摄影是他的爱好，他每周末都去湖边拍照。",
    "市は新しい制度について住民にコメントを求めました。\n写真を撮るのが彼の趣味だ。",
    "Write to the council at info@example.org before 3 May if you object to the plan, the notice says.",
    "Keywords: anxiety, depression, physical activity\nTopics: 46",
    "Tags:\nTenancyConfig:\nTimeout: Integer",
]


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_kinds_go_and_nothing_else(rules_marker, name):
    assert_marks_exactly(rules_marker, RULE_CASES[name])


@pytest.mark.parametrize("text", LOOKALIKE_CONTENT)
def test_content_that_looks_like_these_kinds_stays(rules_marker, text):
    assert_keeps(rules_marker, text)


# ------------------------------------------------------------------ forum signatures


@pytest.fixture(scope="module")
def markers():
    return build_markers(load_options())


def _clean(markers, text: str, title: str | None = None) -> tuple[str, Document]:
    doc = Document("t", None, text, title)
    for m in markers:
        m(doc)
    return apply_spans(text, doc.removed), doc


@pytest.mark.parametrize("sig, posts", [
    ("Never trust a tank that looks finished.",
     ["My filter makes a rattling noise since I cleaned it last weekend, and I cannot find where it comes from.",
      "Check the impeller shaft first; a worn shaft rattles exactly like that once the rubber ring is gone."]),
    ("Antes de preguntar, mira la sección de preguntas frecuentes.",
     ["La cadena de mi bicicleta salta en los piñones pequeños desde que cambié el cambio trasero el mes pasado.",
      "Mide el desgaste de la cadena con una galga; si pasa del medio por ciento, cámbiala junto al casete."]),
])
def test_a_signature_repeated_under_posts_goes_with_its_first_copy(markers, sig, posts):
    profile = "marta_k\nMember\nJoined: Apr 3, 2021\nPosts: 120\n"
    other = "old_hand\nModerator\nJoined: Jan 9, 2012\nPosts: 9,204\n"
    text = (f"{profile}{posts[0]}\nReply\nQuote\n{sig}\n\n{other}{posts[1]}\nReply\nQuote\n\n"
            f"{profile}Thanks, that was it.\nReply\nQuote\n{sig}\n")
    out, _ = _clean(markers, text)
    assert sig not in out
    assert posts[0] in out and posts[1] in out


def test_a_sentence_said_twice_in_prose_is_no_signature(markers):
    refrain = "Slowly, slowly, the river rises."
    text = f"{refrain}\n{EN}\n{refrain}\n{EN2}\n"
    out, _ = _clean(markers, text)
    assert out.count(refrain) == 2


# ------------------------------------------------------------------ headlines: labels, text input


def test_a_section_label_above_the_headline_of_an_html_page_goes(markers):
    out, doc = _clean(markers, f"Politik\nNeuer Radweg entlang der Lenne\n{DE}", "Neuer Radweg entlang der Lenne")
    assert out.strip() == DE
    assert {s.rule for s in doc.removed} >= {"dup.title-label@1", "dup.title@1"}


def test_a_label_not_above_the_headline_stays(markers):
    out, _ = _clean(markers, f"Politik\n{DE}\nVerkehr\n{EN2}", "Neuer Radweg entlang der Lenne")
    assert out.startswith("Politik\n")


@pytest.mark.parametrize("first, title", [
    ("Night Ferry Trial Backed by Harbour Council | Lakeside Courier", "Night Ferry Trial Backed by Harbour Council"),
    ("Neuer Radweg entlang der Lenne soll bis 2026 fertig sein – Stadtanzeiger",
     "Neuer Radweg entlang der Lenne soll bis 2026 fertig sein"),
])
def test_text_input_headline_moves_to_title_without_the_site_name(markers, first, title):
    out, doc = _clean(markers, f"{first}\n{EN}\n{EN2}")
    assert doc.title == title
    assert title not in out and out.lstrip().startswith("The county library")


def test_text_input_headline_printed_again_is_found_by_its_copies(markers):
    head = "Harbour Council Backs a Night Ferry Trial"
    out, doc = _clean(markers, f"{head}\nLocal News\n{head}\n{EN}")
    assert doc.title == head and head not in out and "Local News" not in out


@pytest.mark.parametrize("first, url, below", [
    ("Harbour news | Harbour Times", "https://harbour.example/news/1", ""),   # the site names the host
    ("Harbour news | Harbour Times", None, "Harbour news\n"),                # the headline printed again below
    ("Ferry news - Lakeside Courier Online", "https://www.lakeside.example/a", ""),
])
def test_a_site_name_longer_than_a_short_headline_is_cut_on_evidence(first, url, below):
    import cleaner
    doc = cleaner.clean_text(f"{first}\n\n{below}{EN}", url=url)
    assert doc.title == first.split(" | ")[0].split(" - ")[0]
    assert doc.clean_text == EN
    again = cleaner.clean_text(doc.clean_text, url=url)
    assert again.title is None and again.clean_text == EN   # cleaning the clean text takes nothing more


def test_a_long_suffix_without_evidence_is_no_site_name():
    import cleaner
    doc = cleaner.clean_text(f"Ferry news | Harbour Council Meeting Notes\n\n{EN}", url="https://courier.example/x")
    assert doc.title in (None, "Ferry news | Harbour Council Meeting Notes")


@pytest.mark.parametrize("text", [
    f"{EN}\n{EN2}",                                                # prose first
    f"Opening hours\n{EN}",                                        # a heading without evidence
    f"Paris - Berlin\n{EN}",                                       # a separator, but no site name shape
])
def test_text_input_without_a_headline_keeps_its_first_line(markers, text):
    out, doc = _clean(markers, text)
    assert doc.title is None and out == text


def _run(tmp_path, records, **opts):
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    options = dataclasses.replace(Options(), workers=1, progress=False, output_format="jsonl", **opts)
    out = tmp_path / "out"
    run([str(src)], options, str(out))
    read = lambda p: [json.loads(x) for f in sorted(out.glob(f"{p}-*.jsonl")) for x in f.read_text().splitlines() if x]  # noqa: E731
    return {r["id"]: r for r in read("clean")}, {r["id"]: r for r in read("dropped")}


def test_title_in_text_puts_the_title_line_first(tmp_path):
    rec = {"id": "a", "url": "https://courier.example/news/night-ferry", "text":
           f"Night Ferry Trial Backed by Harbour Council | Lakeside Courier\n{EN}"}
    plain, _ = _run(tmp_path / "1", [rec])
    joined, _ = _run(tmp_path / "2", [rec], title_in_text=True)
    assert plain["a"]["title"] == joined["a"]["title"] == "Night Ferry Trial Backed by Harbour Council"
    assert plain["a"]["text"] == EN
    assert joined["a"]["text"] == f"Night Ferry Trial Backed by Harbour Council\n{EN}"


# ------------------------------------------------------------------ mojibake


@pytest.mark.parametrize("broken, fixed", [
    ("cafÃ© crÃ¨me", "café crème"), ("donâ€™t stop", "don’t stop"), ("Ã‰cole", "École"),
    ("ä¸­æ–‡", "中文"), ("GrÃ¼ÃŸe aus KÃ¶ln", "Grüße aus Köln"),
])
def test_double_encoded_text_is_repaired(broken, fixed):
    assert repair_mojibake(broken) == fixed


@pytest.mark.parametrize("text", [
    "Das ist schön. Café für Groß und Klein.", "Ça coûte 5 € à l'été, dit-elle : « non ».",
    "¿Qué tal? Añadió el señor.", "中文内容，没有问题。", "日本語の文章です。", "plain ASCII", "",
])
def test_clean_text_is_left_as_it_is(text):
    assert repair_mojibake(text) == text


def test_a_double_encoded_record_comes_out_repaired(tmp_path):
    clean, _ = _run(tmp_path, [{"id": "m", "text": f"{EN} The cafÃ© opens at nine."}])
    assert clean["m"]["text"].endswith("The café opens at nine.")


# ------------------------------------------------------------------ ordered lists


def test_ordered_lists_keep_their_numbers():
    html = (f"<html><body><article><h1>Bread</h1><p>{EN}</p><ol><li>Heat the oven.</li><li><p>Mix the "
            f"<b>flour</b>.</p></li></ol><p>{EN}</p><ol start='5'><li>Fifth</li><li value='9'>Ninth</li><li>Tenth</li></ol>"
            f"<ol type='a' reversed><li>bee</li><li>ay</li></ol><ul><li>A bullet stays a bullet</li></ul></article></body></html>")
    lines = extract(html, Options()).text.split("\n")
    for want in ("1. Heat the oven.", "2. Mix the flour.", "5. Fifth", "9. Ninth", "10. Tenth", "b. bee", "a. ay",
                 "- A bullet stays a bullet"):
        assert want in lines, (want, lines)


def test_a_list_that_numbers_itself_and_a_link_list_are_not_numbered_again():
    html = (f"<html><body><article><p>{EN}</p><ol><li>1) Heat the oven to 220 degrees.</li><li>2) Bake.</li></ol>"
            f"<ol><li><a href='/a'>Council votes on the ferry</a></li><li><a href='/b'>New bus timetable</a></li></ol>"
            f"<p>{EN}</p></article></body></html>")
    text = extract(html, Options()).text
    assert "1. 1)" not in text and "1. Council" not in text


def test_item_labels_and_unbulleting():
    assert [item_label(n, k) for n, k in ((3, "1"), (3, "a"), (3, "A"), (4, "i"), (9, "I"), (27, "a"))] == \
        ["3", "c", "C", "iv", "IX", "27"]
    assert unbullet_numbered("- 3. Stir\n- plain\n- 2024 was a year") == "3. Stir\n- plain\n- 2024 was a year"


# ------------------------------------------------------------------ index pages

CARDS = [("Council backs night ferry trial", "The six-month trial starts in May.", "May 3, 2024"),
         ("New bus timetable from Monday", "Buses will run every ten minutes.", "May 2, 2024"),
         ("Library stays open on Saturdays", "The branch keeps longer hours.", "30.04.2024"),
         ("Bakery wins regional prize", "", "2024-04-29"),
         ("Harbour wall repairs begin", "Work lasts six weeks.", "April 28, 2024")]


def test_a_page_of_teaser_cards_is_an_index():
    lines = ["News"] + [x for card in CARDS for x in card if x]
    assert is_teaser_index(lines)


@pytest.mark.parametrize("lines", [
    [x for card in CARDS[:3] for x in card if x],                          # too few cards
    [x for card in CARDS for x in card[:2] if x],                           # no dates
    [x for card in CARDS for x in card if x] + [EN],                        # a paragraph of its own
    ["Opening hours", "The branch opens at nine.", "It closes at six.", "May 3, 2024"] * 4,  # two sentences a card
])
def test_pages_with_text_of_their_own_are_no_index(lines):
    assert not is_teaser_index(lines)


def test_date_lines():
    assert is_date_line("May 3, 2024 · 4 min read") and is_date_line("3. Mai 2024") and is_date_line("2024年5月3日")
    assert not is_date_line("On May 3, 2024 the council met and voted to keep the branch open for years.")


def test_an_index_page_is_dropped_with_reason_no_main_content(tmp_path):
    index = "\n".join(x for card in CARDS for x in card if x)
    article = "\n".join([CARDS[0][0], "May 3, 2024", EN, EN2])
    clean, dropped = _run(tmp_path, [{"id": "idx", "text": index}, {"id": "art", "text": article}])
    assert dropped["idx"]["reason"] == "no main content"
    assert "art" in clean


def test_two_headline_lines_at_the_top_give_no_title_and_cleaning_again_changes_nothing(markers):
    # the first line has a removed copy (evidence), the second is a bare headline before prose:
    # taking the first would make the second the title of a second cleaning
    text = "Oars in the water, oars in the water,\nOars in the water, oars in the water,\n" \
           f"Ferry Line Extends Winter Service to the Outer Islands\n{EN}"
    once, doc = _clean(markers, text)
    assert doc.title is None
    twice, doc2 = _clean(markers, once)
    assert twice == once and doc2.title is None


# ------------------------------------------------------------------ shortcodes and encoded data

from cleaner.page.shortcodes import blob_spans, shortcode_spans  # noqa: E402


def _without(text, spans):
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        pos = b
    return "".join(out) + text[pos:]


def test_unrendered_shortcodes_go_and_their_text_stays():
    text = ('[vc_row full_width="stretch_row"][vc_column width="1/2"]You can sew your own clothes.[/vc_column][/vc_row]\n'
            '[split_line_heading animation_type=”default”]Sewing school[/split_line_heading]\n'
            '[button link=”http://example.org/review” type=”big”] Send us your review[/button]\n'
            '[caption id="attachment_5" width="300"]A dog on the quay[/caption]')
    assert _without(text, shortcode_spans(text)) == ("You can sew your own clothes.\nSewing school\n"
                                                     " Send us your review\nA dog on the quay")


@pytest.mark.parametrize("text", ["See note [1] and [sic].", "Review: a new headset [Video]", "[text](https://example.org)",
                                  "The array is written [a, b] in the listing.", "[video]", "[Updated] The council met."])
def test_bracketed_text_that_is_no_shortcode_stays(text):
    assert shortcode_spans(text) == []


def test_encoded_blobs_go_and_long_words_and_urls_stay():
    blob = "JTVCc2VhcmNod3Bfc2VhcmNoX2Zvcm0lMjBlbmdpbmUlM0QlMjJkZWZhdWx0JTIy" * 4
    assert [(a, b) for a, b in blob_spans(f"Before {blob} after")] == [(7, 7 + len(blob))]
    url = "https://example.org/" + "/".join(["section", "2024", "05", "a-very-long-slug-about-the-harbour-ferry"] * 4)
    assert blob_spans(url) == [] and blob_spans("Donaudampfschifffahrtsgesellschaftskapitän" * 6) == []


def test_printing_one_text_file_keeps_its_headline_on_screen(tmp_path, capsys):
    from cleaner.cli.main import main

    page = tmp_path / "page.txt"
    page.write_text(f"Skip to main content\nNight Ferry Trial Backed by Harbour Council | Lakeside Courier\n{EN}\n",
                    encoding="utf-8")
    assert main(["clean", str(page)]) == 0
    assert capsys.readouterr().out == f"Night Ferry Trial Backed by Harbour Council\n{EN}\n"
    assert main(["clean", str(page), "--no-title-in-text"]) == 0
    assert capsys.readouterr().out == f"{EN}\n"


def test_with_the_title_rule_switched_off_text_input_keeps_its_headline_line():
    """Found by a new user: with --disable-rules dup.title@1 the title was still taken and the
    plain copy of the headline below was the one removed."""
    import cleaner
    text = f"Harbour news | Harbour Times\n\nHarbour news\n\n{EN}"
    doc = cleaner.clean_text(text, options=Options(disable_rules="dup.title@1"))
    assert doc.title is None and doc.clean_text.startswith("Harbour news | Harbour Times")
