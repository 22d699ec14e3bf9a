"""Main-content extraction from invented pages, one test per kind of HTML fault."""
import pytest

from cleaner.config import Options
from cleaner.extract.main_content import extract, html_to_text

OPTS = Options()

P1 = "The harbour authority approved a new ferry timetable on Tuesday after months of consultation with commuters and local businesses."
P2 = "Boats will now leave every twenty minutes during the morning peak, and the last evening crossing moves half an hour later."
P3 = "Season tickets bought before the change remain valid until their printed expiry date, the authority said in a statement."


def page(body: str, title: str = "Ferry timetable changes", head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>{body}</body></html>"


def article(extra_inside: str = "", extra_after: str = "", h1: str = "Ferry timetable changes") -> str:
    return page(f"<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
                f"<article><h1>{h1}</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p>{extra_inside}</article>{extra_after}"
                f"<footer><p>Copyright Example Gazette. All rights reserved.</p></footer>")


def text_of(html: str | bytes, **opts) -> str:
    options = Options(**opts) if opts else OPTS
    return extract(html, options).text


def test_article_paragraphs_kept_and_site_nav_dropped():
    out = text_of(article())
    for p in (P1, P2, P3):
        assert p in out
    assert "Sport" not in out and "All rights reserved" not in out


def test_latin1_bytes_with_declared_charset_are_extracted_without_mojibake():
    body = "<article><h1>Marché</h1>" + "".join(
        f"<p>Le marché couvert rouvre après rénovation, et les maraîchers arrivent dès la première heure {i}.</p>"
        for i in range(4)) + "</article>"
    data = page(body, title="Marché").replace("charset='utf-8'", "charset='iso-8859-1'").encode("latin-1")
    out = text_of(data)
    assert "maraîchers arrivent" in out
    assert "\ufffd" not in out and "Ã" not in out


def test_nul_byte_between_paragraphs_does_not_truncate_the_page():
    html = article().replace(f"<p>{P2}</p>", f"\x00<p>{P2}</p>").encode("utf-8")
    out = text_of(html)
    assert P2 in out and P3 in out and "\x00" not in out


def test_backspace_in_a_text_node_does_not_empty_the_extraction():
    out = text_of(article().replace("twenty minutes", "twenty\x08 minutes"))
    assert P1 in out and P3 in out


def test_text_after_a_huge_script_node_survives():
    blob = "a" * 11_000_000  # over libxml2's 10 MB text-node limit without huge_tree
    html = page(f"<article><h1>Ferry timetable changes</h1><p>{P1}</p>"
                f"<script>window.__STATE__=\"{blob}\";</script><p>{P2}</p><p>{P3}</p></article>")
    out = text_of(html.encode("utf-8"))
    assert P2 in out and P3 in out
    assert "aaaaaaaaaa" not in out and "__STATE__" not in out


def test_huge_text_node_in_content_does_not_hide_what_follows():
    words = ("ferry " * 1_900_000).strip()  # about 11 MB in one text node
    html = page(f"<div><p>{P1}</p><div>{words}</div><p>{P3}</p></div>")
    out = text_of(html)
    assert P3 in out


def test_list_directly_under_body_is_kept():
    items = ["Roughly a fifth of treated water never reaches a customer meter.",
             "Meter replacement fell behind schedule in three of five districts.",
             "Readings from the oldest pumping station could not be verified."]
    html = ("<html><head><title>Audit notes</title></head><body><h1>Audit notes</h1>"
            f"<p>{P1}<p>The audit says this about leakage:<ul>" + "".join(f"<li>{i}" for i in items)
            + f"</ul><p>{P3}</body></html>")
    out = text_of(html)
    for i in items:
        assert i in out


def test_data_table_whose_cells_are_links_is_kept():
    rows = "".join(f"<tr><td><a href='/data/{n}.csv'>{n}.csv</a></td><td>{s} MB</td><td><a href='/sum/{n}'>{h}</a></td></tr>"
                   for n, s, h in (("north_weir", "14.2", "a3f09c1e"), ("mill_bridge", "13.9", "7b21d4aa"),
                                   ("old_ferry", "12.8", "0c9e5f37"), ("estuary", "13.1", "e4410b92")))
    html = article(extra_inside=f"<h2>Appendix: data files</h2><table><tr><th>File</th><th>Size</th><th>Checksum</th></tr>{rows}</table>")
    out = text_of(html)
    for cell in ("north_weir.csv", "estuary.csv", "14.2 MB", "e4410b92"):
        assert cell in out


def test_comment_thread_in_details_boxes_is_dropped():
    comments = "".join(f"<details class='CommentBox' open><summary>Posted Mar {d} by reader_{d}</summary>"
                       f"<p>{t}</p></details>" for d, t in ((4, "I tried this on an older laptop and saw no change at all."),
                                                             (5, "Will this be backported to the long-term branch soon?")))
    html = article(extra_after=f"<h2>Comments (2 posted)</h2>{comments}<p><a href='/login'>Log in</a> to post comments</p>")
    out = text_of(html)
    assert P1 in out and P3 in out
    for gone in ("older laptop", "backported", "Comments (2 posted)", "reader_4", "to post comments"):
        assert gone not in out


def test_one_element_with_comment_in_its_class_is_content():
    note = "Fines depend on the size of the business and on whether the breach was deliberate or an oversight."
    out = text_of(article(extra_inside=f"<p class='comment-note'>{note}</p>"))
    assert note in out


def test_forum_thread_keeps_its_replies():
    posts = "".join(f"<div class='comment'><p>{t}</p></div>" for t in (P2, P3))
    head = '<script type="application/ld+json">{"@type": "DiscussionForumPosting", "headline": "Ferry"}</script>'
    html = page(f"<main><h1>Ferry timetable changes</h1><div class='post'><p>{P1}</p></div>{posts}</main>", head=head)
    out = text_of(html)
    assert P1 in out and P2 in out and P3 in out


def test_related_box_named_only_by_its_heading_is_dropped():
    box = ("<div class='box-7'><h3>More from News</h3><ul>"
           "<li><a href='/a'>Council approves new bike lanes on River Street</a><p>Four kilometres of lanes by autumn.</p></li>"
           "<li><a href='/b'>Museum reopens east wing after renovation</a><p>The textile collection is back.</p></li>"
           "<li><a href='/c'>Schools prepare for early enrollment week</a></li></ul></div>")
    out = text_of(article(extra_inside=box))
    assert P3 in out
    for gone in ("More from News", "bike lanes", "Museum reopens", "early enrollment"):
        assert gone not in out


def test_related_heading_over_prose_is_content():
    prose = ("Earlier studies of ferry demand looked only at weekday commuters and ignored the weekend leisure trips "
             "that now make up almost a third of all crossings on the route.")
    out = text_of(article(extra_inside=f"<h2>Related research</h2><p>{prose}</p>"))
    assert prose in out


def test_cookie_banner_goes_but_consent_article_stays():
    banner = ("<div id='cookie-banner' class='gdpr-consent-banner'><p>We use cookies to personalise content and analyse traffic.</p>"
              "<button>Accept all</button> <button>Manage preferences</button></div>")
    paras = [f"<p class='gdpr-Paragraph'>{p}</p>" for p in (
        "The rules require a website to ask before it stores cookies that track visitors across pages.",
        "Consent has to be as easy to refuse as it is to give, so a reject option sits beside the accept button.")]
    html = page(banner + "<main><h2 id='gdpr-ArticleTitle'>What the consent rules require</h2>" + "".join(paras)
                + f"<p class='MsoHeader'>{P1}</p></main>", title="What the consent rules require")
    out = text_of(html)
    assert "ask before it stores cookies" in out and "easy to refuse" in out and P1 in out
    assert "personalise content" not in out and "Accept all" not in out


def test_reference_list_is_dropped_but_prose_under_a_sources_heading_stays():
    refs = "<h2>References</h2><ol>" + "".join(
        f"<li>Author {i}. A study of ferries. J Transp. 20{10 + i};{i}:1-9. doi:10.1000/x{i}</li>" for i in range(5)) + "</ol>"
    out = text_of(article(extra_inside=refs))
    assert P3 in out and "A study of ferries" not in out
    prose = "Figures in this story come from the harbour authority and from interviews with four ferry captains."
    out = text_of(article(extra_inside=f"<h2>Sources</h2><p>{prose}</p>"))
    assert prose in out


@pytest.mark.parametrize("captions", [False, True])
def test_caption_repeated_in_alt_title_and_figcaption_appears_at_most_once(captions):
    cap = "Volunteers sort donated books in the school hall on Saturday morning."
    fig = f"<figure><img src='/img/x.jpg' alt='{cap}' title='{cap}'><figcaption>{cap}</figcaption></figure>"
    html = article(extra_inside=fig + f"<p>{P1.replace('harbour', 'river')}</p>")
    out = text_of(html, captions=captions)
    assert out.count(cap) == (1 if captions else 0)
    assert "/img/x.jpg" not in out


def test_inline_code_is_not_repeated_after_its_paragraph():
    html = article(extra_inside="<p>Use <code>pip install reportkit</code> to install the package into your active environment.</p>"
                                "<p>Then run <code>reportkit --version</code> to confirm that the command is on your path.</p>")
    out = text_of(html)
    assert out.count("pip install reportkit") == 1 and out.count("reportkit --version") == 1


def test_title_is_the_headline_not_the_site_suffix():
    ex = extract(article(), OPTS)
    assert ex.title == "Ferry timetable changes"


def test_no_extract_mode_renders_blocks_one_a_line_without_scripts():
    html = page(f"<div><p>{P1}</p><script>var x = 1;</script><ul><li>one</li><li>two</li></ul></div>")
    text, title = html_to_text(html)
    assert text.split("\n") == [P1, "one", "two"] and title == "Ferry timetable changes"
