"""restore_lists looks for the paragraph before a list first and keys the extracted lines only once a list
is rendered: the same lists come back as with the former order of its checks."""
import lxml.html
from hypothesis import example, given, settings, strategies as st

from cleaner.extract.main_region import block_before, restorable, restore_lists, with_inserts
from cleaner.extract.tree_text import line_key, render_blocks


def _former(root, extracted):
    """restore_lists with its checks in the former order: list rendered first, the paragraph before last."""
    lines = extracted.split("\n")
    keys = [line_key(x) for x in lines]
    present = set(keys)
    everything = " " + " ".join(keys) + " "
    inserts = {}
    for lst in root.iter("ul", "ol"):
        if lst.getparent() is None or any(a.tag in ("ul", "ol") for a in lst.iterancestors()):
            continue
        items = render_blocks(lst)
        if not restorable(items, everything):
            continue
        prev = block_before(lst)
        if prev is None:
            continue
        before = render_blocks(prev)
        anchor = line_key(before[-1][0]) if before else ""
        if anchor and anchor in present:
            inserts.setdefault(keys.index(anchor), []).extend(f"- {t}" for t, _ in items)
    return with_inserts(lines, inserts) if inserts else extracted


WORDS = st.sampled_from(["Ferries leave hourly.", "Tickets", "Oslo", "Bergen", "", "  ", " ".join(["word"] * 41)])
ITEM = st.tuples(WORDS, st.booleans()).map(lambda t: f"<li>{'<a href=/x>' + t[0] + '</a>' if t[1] else t[0]}</li>")
LIST = st.tuples(st.sampled_from(["ul", "ol"]), st.lists(ITEM, max_size=4)).map(lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>")
BLOCK = LIST | WORDS.map(lambda w: f"<p>{w}</p>") | st.just("<div></div>") | LIST.map(lambda x: f"<li>{x}</li>")


@settings(max_examples=500, deadline=None)
@given(st.lists(BLOCK, max_size=7), st.lists(WORDS, max_size=5).map("\n".join))
@example(["<p>Ferries leave hourly.</p>", "<ul><li>Oslo</li><li>Bergen</li></ul>"], "Ferries leave hourly.")
@example(["<ul><li>Oslo</li><li>Bergen</li></ul>"], "Ferries leave hourly.")
@example(["<p>Tickets</p>", "<div></div>", "<ul><li>Oslo</li></ul>"], "Tickets\nFerries leave hourly.")
@example(["<p>Tickets</p>", "<p>  </p>", "<ul><li>Oslo</li></ul>"], "Tickets")   # a blank paragraph is passed over
def test_restore_lists_restores_what_it_restored_before(blocks, extracted):
    html = f"<html><body>{''.join(blocks)}</body></html>"
    assert restore_lists(lxml.html.document_fromstring(html), extracted) == _former(
        lxml.html.document_fromstring(html), extracted)
