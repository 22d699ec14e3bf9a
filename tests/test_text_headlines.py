"""Short headlines of text input (scraped text, WET): printed twice, or next to a menu printed one
item a line. The headline is never taken for a menu item, and a copy in the head of the page is
evidence enough to move it to the title field."""
import pytest

import cleaner

PROSE = ("A starter is just flour and water left to ferment. Feed it every day for a week and it will "
         "start to bubble and smell pleasantly sour.\nOnce it doubles within six hours of a feed, it is ready "
         "to raise a loaf. Use it at its peak, when the surface is domed and full of bubbles.")
MENU = "Home\nRecipes\nAbout\nContact"
URL = "https://blog.example/posts/starter"


def clean(text: str) -> cleaner.Document:
    doc = cleaner.clean_text(text, url=URL)
    again = cleaner.clean_text(doc.clean_text, url=URL)
    assert again.clean_text == doc.clean_text and again.title is None   # idempotent, no new title
    return doc


@pytest.mark.parametrize("head", ["Sourdough for beginners", "Sourdough bread for beginners"])
@pytest.mark.parametrize("layout", ["{h}\n{h}\n{p}", "{h}\n{m}\n{h}\n{p}"])
def test_a_headline_printed_again_in_the_head_goes_to_the_title(head, layout):
    doc = clean(layout.format(h=head, m=MENU, p=PROSE))
    assert doc.title == head
    assert head not in doc.clean_text and "Recipes" not in doc.clean_text
    assert doc.clean_text.startswith("A starter is just flour")


@pytest.mark.parametrize("layout", ["{m}\n{h}\n{p}", "{h}\n{m}\n{p}"])
def test_a_headline_next_to_a_menu_is_no_menu_item(layout):
    doc = clean(layout.format(h="Winter opening hours", m=MENU, p=PROSE))
    assert "Winter opening hours" in doc.clean_text or doc.title == "Winter opening hours"
    assert not any(x in doc.clean_text.split("\n") for x in MENU.split("\n"))   # the menu still goes


def test_a_menu_whose_items_are_alike_goes_whole():
    # the last item is no longer than the others: no headline here, all of it is the menu
    doc = clean("Home\nRecipes\nAbout us\nContact us\n" + PROSE)
    assert doc.clean_text.startswith("A starter is just flour")
    assert {s.rule for s in doc.removed} == {"chrome.menu@1"}


@pytest.mark.parametrize("text", [
    "Salt Wind\n\nGrey gulls\nOver the pier\nLow tide\nOld rope\nSalt wind\nHome again",
    ("Evening song\nRain on the roof, rain on the roof,\nthe kettle hums and the lamp burns low.\n"
     "Rain on the roof, rain on the roof,\nand nobody needs to go.\n" + PROSE),
])
def test_a_line_repeated_in_verse_is_no_headline(text):
    doc = cleaner.clean_text(text)
    assert doc.title is None and doc.clean_text == text


@pytest.mark.parametrize("credit", [" (Photo: Lena Holm)", " Photo: Lena Holm"])
def test_a_line_a_rule_cuts_short_is_judged_as_it_reads_after_the_cut(credit):
    """A headline above a caption whose photo credit a rule cuts: the caption without its credit
    is prose, so the line above it is a headline on the first cleaning as on the second."""
    caption = "The sourdough loaf rises in a cane basket lined with a floured linen cloth."
    doc = clean(f"Sourdough bread for complete beginners\n{caption}{credit}\n{PROSE}")
    assert doc.title == "Sourdough bread for complete beginners"
    assert doc.clean_text.startswith(caption)
