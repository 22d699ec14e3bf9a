"""Thread posts named by schema.org microdata (cleaner.extract.posts) stand in for trafilatura's text."""
from cleaner.config import Options
from cleaner.extract import main_content as X
from cleaner.extract.posts import posts_text, thread_posts

QUESTION = ("How do I keep a sourdough starter alive while travelling for three weeks? I feed it every "
            "morning with equal parts flour and water, and it sits on the counter at room temperature.")
ANSWER_1 = ("Dry it. Spread a thin layer on baking paper, let it dry for two days, break it into flakes and "
            "keep them in a jar; revive them with warm water and flour when you are back.")
ANSWER_2 = ("Feed it a stiff meal, put it in the fridge and it will wait three weeks without trouble. "
            "Pour off the grey liquid when you return and give it two feedings before baking.")
REMARK = "Which flour do you use, rye or wheat?"


def qa_page(page_type: str = "https://schema.org/QAPage") -> str:
    return f"""<html itemscope itemtype="{page_type}"><head><title>Starter</title></head><body>
<div class="question" itemprop="mainEntity" itemscope itemtype="https://schema.org/Question">
  <h1 itemprop="name">Keeping a starter alive</h1>
  <div class="post-text" itemprop="text"><p>{QUESTION}</p>
  <pre>flour: 50 g
  water: 50 g</pre></div>
  <ul class="comments"><li itemscope itemtype="https://schema.org/Comment"><span itemprop="text">{REMARK}</span></li></ul>
</div>
<h2>2 Answers</h2>
<div class="answer" itemscope itemtype="https://schema.org/Answer"><div itemprop="text"><p>{ANSWER_1}</p>
  <ul><li>baking paper</li><li>a clean jar</li></ul></div></div>
<div class="answer" itemscope itemtype="https://schema.org/Answer"><div itemprop="text"><p>{ANSWER_2}</p></div></div>
<footer>Site design / logo (c) 2024</footer></body></html>"""


def forum_page(replies_marked: bool = True) -> str:
    reply = ("itemscope itemtype='https://schema.org/Comment'" if replies_marked else "class='reply'")
    body = "itemprop='text'" if replies_marked else "class='reply-body'"
    return f"""<html><head><title>Starter</title></head><body>
<article itemscope itemtype="https://schema.org/DiscussionForumPosting"><h1 itemprop="headline">Starter</h1>
  <div itemprop="articleBody"><p>{QUESTION}</p></div>
  <div {reply}><span class="author">breadhead</span><div {body}><p>{ANSWER_1}</p></div></div>
  <div {reply}><span class="author">crumb</span><div {body}><p>{ANSWER_2}</p></div></div>
</article></body></html>"""


def fake_trafilatura(monkeypatch, text: str) -> list:
    seen = []

    def fake(root, url, thread, options, fast=False, gate=None):
        seen.append(fast)
        return text
    monkeypatch.setattr(X, "_trafilatura", fake)
    return seen


def test_a_qa_page_gives_its_question_and_answers_in_page_order_without_the_remarks():
    root = X.parse_html(qa_page())
    text = posts_text(thread_posts(root))
    assert text.split("\n") == [QUESTION, "flour: 50 g", "  water: 50 g", ANSWER_1, "- baking paper", "- a clean jar", ANSWER_2]
    assert REMARK not in text


def test_a_forum_thread_counts_its_replies_as_posts():
    text = posts_text(thread_posts(X.parse_html(forum_page())))
    assert text.split("\n") == [QUESTION, ANSWER_1, ANSWER_2]
    assert "breadhead" not in text   # the author line is outside the post's body


def test_question_items_on_a_page_that_is_no_thread_are_left_to_trafilatura():
    # a product page with a questions-and-answers box: the page does not type itself a thread
    assert thread_posts(X.parse_html(qa_page("https://schema.org/Product"))) == []
    assert thread_posts(X.parse_html(f"<html><body><p>{QUESTION}</p></body></html>")) == []


def test_the_posts_replace_an_extraction_that_lost_the_question(monkeypatch):
    seen = fake_trafilatura(monkeypatch, f"{ANSWER_1}\n{REMARK}\n{ANSWER_2}")
    got = X.extract(qa_page(), Options())
    assert seen == [True]   # no comparison run: the posts decide
    assert QUESTION in got.text and ANSWER_1 in got.text and REMARK not in got.text


def test_a_thread_that_marks_only_its_first_post_keeps_trafilaturas_text(monkeypatch):
    extracted = f"{QUESTION}\n{ANSWER_1}\n{ANSWER_2}\n" + "\n".join(f"Reply number {i}: " + ANSWER_2 for i in range(4))
    fake_trafilatura(monkeypatch, extracted)
    page = forum_page(replies_marked=False)
    assert posts_text(thread_posts(X.parse_html(page))) == QUESTION
    got = X.extract(page, Options())
    assert ANSWER_1 in got.text and "Reply number 3" in got.text


# A forum thread without microdata: each post a repeated container (author card + body).
REPLIES = [
    "Mine went through the same thing last winter. The heater was fine, the thermostat had failed, "
    "and a replacement cost less than a bag of gravel.",
    "Check the water temperature with a separate thermometer before you buy anything; the built-in "
    "dial on those heaters is often five degrees off.",
    "Thanks, the separate thermometer showed nineteen degrees while the dial said twenty-five. New "
    "thermostat ordered, I will report back next week.",
]


def thread_page(quote: bool = False) -> str:
    first = f"<p>{QUESTION}</p>"
    posts = [first] + [f"<p>{r}</p>" for r in REPLIES]
    if quote:   # each reply quotes the post before it; a quote repeats a post and is none
        posts = [posts[0]] + [f"<blockquote class='quote'><div class='quote-body'>{posts[i - 1]}</div></blockquote>{posts[i]}"
                              for i in range(1, len(posts))]
    cards = "".join(
        f"<article class='message'><div class='user-card'><a href='/members/{i}'>member{i}</a><span>Well-known member</span>"
        f"<span>Dec {i + 2}, 2023</span></div><div class='message-body'>{p}</div>"
        f"<div class='actions'><a href='#'>Reply</a> <a href='#'>Report</a></div></article>"
        for i, p in enumerate(posts))
    return ("<html><head><title>Heater</title><link rel='canonical' href='https://forum.example.org/threads/heater.512/'>"
            f"</head><body><h1>Heater</h1><div class='thread'>{cards}</div></body></html>")


def test_a_thread_whose_extraction_kept_one_post_gets_all_the_posts(monkeypatch):
    fake_trafilatura(monkeypatch, QUESTION)
    got = X.extract(thread_page(), Options())
    assert got.text.split("\n") == [QUESTION] + REPLIES   # the bodies, without author cards or buttons


def test_quotes_inside_posts_are_not_taken_for_the_posts(monkeypatch):
    from cleaner.extract.posts import repeated_posts
    root = X.parse_html(thread_page(quote=True))
    assert [el.get("class") for el in repeated_posts(root, QUESTION)] == ["message-body"] * 4
    fake_trafilatura(monkeypatch, QUESTION)
    got = X.extract(thread_page(quote=True), Options())
    assert got.text.split("\n")[-1] == REPLIES[2] and REPLIES[1] in got.text
    # the quote blocks alone, with less text, would hold the kept text as well: that is what is ruled out
    assert "quote-body" in thread_page(quote=True) and thread_page(quote=True).count("class='quote-body'") == 3


def test_an_extraction_that_holds_the_posts_is_kept(monkeypatch):
    kept = "\n".join([QUESTION] + REPLIES)
    fake_trafilatura(monkeypatch, kept)
    assert X.extract(thread_page(), Options()).text == kept


def test_repeated_blocks_on_a_page_that_is_no_thread_are_left_alone(monkeypatch):
    page = thread_page().replace("https://forum.example.org/threads/heater.512/", "https://shop.example.org/heaters")
    fake_trafilatura(monkeypatch, QUESTION)
    assert X.extract(page, Options()).text == QUESTION


def test_thread_urls_without_rewriting_and_with_the_id_first_are_threads():
    from cleaner.extract.discussion import is_discussion
    root = X.parse_html(f"<html><body><p>{QUESTION}</p></body></html>")
    assert is_discussion(root, "https://forum.example.org/index.php?threads/cast-iron-care.16986/")
    assert is_discussion(root, "https://forum.example.org/t/154/cast-iron-care")
    # look-alikes that are no threads
    assert not is_discussion(root, "https://news.example.org/2024/05/t/weather")
    assert not is_discussion(root, "https://shop.example.org/threadsafe-locks/")
    assert not is_discussion(root, "https://shop.example.org/t-shirts/154")
