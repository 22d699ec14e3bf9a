"""A saved thread page without its URL is still a thread when its credit line names forum software
and it repeats a container of posts; then every post is main content, not only the first."""
from __future__ import annotations

import lxml.html
import pytest

from cleaner.config import Options
from cleaner.extract import main_content as X
from cleaner.extract.discussion import credited_thread, is_discussion

QUESTION = ("My starter is two weeks old and smells of nail polish remover a few hours after feeding; "
            "I feed it once a day with rye flour and water and keep it on the counter.")
ANSWER = ("That smell means it is hungry: at room temperature a young starter runs through its food "
          "faster than once a day, so feed it twice a day or use a larger feed ratio.")
THANKS = "Thanks, twice a day with a larger feed fixed it within four days and it doubles in six hours now."


def _post(n: int, who: str, text: str) -> str:
    return (f"<div class='message message--post' id='post-{n}'><div class='message-user'><b>{who}</b>"
            f"<br>Joined: Jan 2021<br>Posts: 142</div><div class='message-content'><p>{text}</p></div>"
            "<div class='actions'>Reply Quote Report</div></div>")


def page(credit: str, posts: bool = True, head: str = "") -> str:
    body = (_post(1, "crumbshot", QUESTION) + _post(2, "levainlady", ANSWER) + _post(3, "crumbshot", THANKS)
            if posts else "<ul>" + "".join(f"<li><a href='/t{i}'>Starter thread {i}</a></li>" for i in range(9)) + "</ul>")
    return (f"<html><head><title>Starter smells of acetone</title>{head}</head><body><h1>Starter smells of acetone</h1>"
            f"{body}<footer>{credit}</footer></body></html>")


@pytest.mark.parametrize("credit", [
    "Powered by XenForo © 2010-2024 XenForo Ltd.",
    "Community platform by XenForo® © 2010-2024",
    "Powered by <a href='https://www.phpbb.com/'>phpBB</a>® Forum Software © phpBB Limited",
    "POWERED BY vBulletin® Version 5.6.9",
])
def test_a_credited_page_that_repeats_posts_is_a_thread_and_keeps_every_post(credit):
    html = page(credit)
    root = lxml.html.document_fromstring(html)
    assert is_discussion(root, None, None, html) and credited_thread(root)   # from the HTML and from the tree
    text = X.extract(html, Options()).text
    assert QUESTION in text and ANSWER in text and THANKS in text


@pytest.mark.parametrize("html", [
    page("Powered by XenForo", posts=False),             # a forum's index: the software, but no posts
    page("Powered by WordPress"),                          # no forum software
    page("Built with care in Rotterdam"),
])
def test_no_credit_or_no_posts_is_no_thread(html):
    root = lxml.html.document_fromstring(html)
    assert not is_discussion(root, None, None, html) and not credited_thread(root)


def test_a_page_with_a_url_goes_by_its_url():
    html = page("Powered by XenForo")
    root = lxml.html.document_fromstring(html)
    assert not is_discussion(root, "https://bread.example/guides/starter-smells", None, html)
    assert is_discussion(root, "https://bread.example/threads/starter-smells.123/", None, html)
    canonical = "<link rel='canonical' href='https://bread.example/guides/starter-smells'>"
    html = page("Powered by XenForo", head=canonical)
    assert not is_discussion(lxml.html.document_fromstring(html), None, None, html)
