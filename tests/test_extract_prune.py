"""Chrome finders, page kind and region checks at their thresholds."""
import lxml.html
import pytest

from cleaner.extract import prune
from cleaner.extract.prune import MAX_CONSENT_CHARS, MIN_COMMENT_ITEMS, find_chrome
from cleaner.extract.discussion import is_discussion
from cleaner.extract.main_region import PROSE_WORDS, has_prose, region_text, restore_lists

PARA = "<p>" + " ".join(["ferries"] * 60) + "</p>"


def tree(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head><title>t</title>{head}</head><body>{body}</body></html>")


def found(body: str, kinds=tuple(prune.FINDERS), head: str = "") -> list[tuple[str, str]]:
    root = tree(body, head)
    return [(k, " ".join(el.text_content().split())) for k, el in find_chrome(root, kinds)]


def test_nav_role_dialog_and_hidden_are_landmarks():
    body = (f"<div role='navigation'>Home News</div><div aria-modal='true'>Sign up now</div>"
            f"<div hidden>Old menu</div><main>{PARA}</main>")
    assert {t for _, t in found(body, ["landmark"])} == {"Home News", "Sign up now", "Old menu"}


def test_a_landmark_holding_over_half_the_page_text_stays():
    small, big = "<p>" + "x " * 10 + "</p>", "<p>" + "y " * 400 + "</p>"
    assert found(f"<nav>{big}</nav><div>{small}</div>", ["landmark"]) == []
    assert len(found(f"<nav>{small}</nav><div>{big}</div>", ["landmark"])) == 1


def test_site_header_goes_but_an_article_header_and_a_header_with_the_h1_stay():
    assert found(f"<header>Brand menu</header><article><header><h2>Headline</h2></header>{PARA}</article>", ["landmark"]) \
        == [("landmark", "Brand menu")]
    assert found(f"<header><h1>Headline</h1></header>{PARA}", ["landmark"]) == []


@pytest.mark.parametrize("n", [MIN_COMMENT_ITEMS - 1, MIN_COMMENT_ITEMS])
def test_comment_items_go_only_when_repeated(n):
    items = "".join(f"<div class='comment-box'>reader {i} says hello</div>" for i in range(n))
    assert len(found(f"<article>{PARA}</article><section>{items}</section>", ["comments"])) == (n if n >= MIN_COMMENT_ITEMS else 0)


def test_a_container_named_for_the_thread_goes():
    assert found(f"<article>{PARA}</article><div id='comments'><p>one reply</p></div>", ["comments"]) == [("comments", "one reply")]


def test_consent_needs_a_choice_or_a_dialog_and_stays_short():
    text = "We use cookies to measure traffic."
    assert found(f"<div class='cookie-note'>{text}</div>{PARA}", ["consent"]) == []
    assert len(found(f"<div class='cookie-note'>{text}<button>Accept</button></div>{PARA}", ["consent"])) == 1
    assert len(found(f"<div class='cookie-note' role='dialog'>{text}</div>{PARA}", ["consent"])) == 1
    long_text = "cookies " * (MAX_CONSENT_CHARS // 8 + 1)
    assert found(f"<div class='cookie-note'>{long_text}<button>Accept</button></div>{PARA}{PARA}{PARA}{PARA}{PARA}{PARA}", ["consent"]) == []


def test_related_box_needs_most_items_linked():
    linked = "".join(f"<li><a href='/{i}'>Story {i}</a></li>" for i in range(5))
    assert len(found(f"<article>{PARA}<div><h3>Related</h3><ul>{linked}</ul></div></article>", ["related"])) == 1
    mostly_text = "<li><a href='/1'>Story</a></li>" + "".join(f"<li>plain point {i}</li>" for i in range(4))
    assert found(f"<article>{PARA}<div><h3>Related</h3><ul>{mostly_text}</ul></div></article>", ["related"]) == []


def test_related_heading_alone_in_a_section_takes_the_next_section():
    cards = "".join(f"<div><h4>Card {i}</h4><a href='/{i}'>Read more</a></div>" for i in range(3))
    body = (f"<article>{PARA}</article><section><div class='spacer'>blank space</div><div><h2>Related Stories</h2></div></section>"
            f"<section><div>{cards}</div></section>")
    assert [k for k, _ in found(body, ["related"])] == ["related", "related"]


def test_reference_list_needs_citations():
    cites = "".join(f"<li>Doe J. Ferries. J Transp. 201{i};3:1-9.</li>" for i in range(3))
    assert len(found(f"<article>{PARA}<h2>References</h2><ol>{cites}</ol></article>", ["references"])) == 2
    plain = "".join(f"<li>talk to captain {i}</li>" for i in range(3))
    assert found(f"<article>{PARA}<h2>References</h2><ol>{plain}</ol></article>", ["references"]) == []


def test_discussion_signals():
    assert is_discussion(tree("", '<script type="application/ld+json">{"@type":"DiscussionForumPosting"}</script>'))
    assert is_discussion(tree("", '<meta name="generator" content="Discourse 3.5">'))
    assert is_discussion(tree("", '<link rel="canonical" href="https://forum.example.org/t/first-telescope/1555">'))
    assert is_discussion(tree(""), url="https://example.org/forum/viewtopic.php?t=12")
    assert not is_discussion(tree(PARA, '<link rel="canonical" href="https://example.org/news/ferry-timetable">'))


def test_prose_starts_at_prose_words():
    assert not has_prose(" ".join(["w"] * (PROSE_WORDS - 1)))
    assert has_prose(" ".join(["w"] * PROSE_WORDS))


def test_region_text_drops_link_lines_but_keeps_extracted_ones():
    root = tree(f"<main><p>Product one costs 12 euros.</p><p><a href='/x'>Shop all</a></p>"
                f"<p><a href='/y'>Kept because extracted</a></p><form>Search</form>{PARA}</main>")
    out = region_text(root, "Kept because extracted").split("\n")
    assert "Product one costs 12 euros." in out and "Kept because extracted" in out
    assert "Shop all" not in out and "Search" not in out


def test_restore_lists_puts_a_dropped_list_after_its_paragraph_once():
    root = tree("<p>Intro line.</p><ul><li>first point</li><li>second point</li></ul><p>Outro line.</p>")
    assert restore_lists(root, "Intro line.\nOutro line.") == "Intro line.\n- first point\n- second point\nOutro line."
    assert restore_lists(root, "Intro line.\n- first point\n- second point\nOutro line.").count("first point") == 1
    links = tree("<p>Intro line.</p><ul><li><a href='/a'>first</a></li><li><a href='/b'>second</a></li></ul>")
    assert restore_lists(links, "Intro line.") == "Intro line."

