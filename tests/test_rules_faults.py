"""One invented page fragment per kind of site chrome, in each language we ship rules for.

Each case marks with ``[[...]]`` exactly what the whole rule set (all files, as a run uses
them) must remove; everything else is content and must survive untouched.
"""
from __future__ import annotations

import pytest

import re

from cleaner.document import Document, Span, apply_spans, merge_ranges

PARA = ("The county library board met on Thursday evening and agreed to keep the branch in the old "
        "mill open for another two years, after residents handed in a petition with four thousand names.")

CASES = {
    # --- English
    "en-skip-link": f"[[Skip to main content]]\n{PARA}",
    "en-menu-pipes": f"[[Home | Events | Contact]]\n{PARA}\n[[Contact | Imprint]]",
    "en-menu-blanks": f"[[Home News Sports Weather]]\n{PARA}",
    "en-menu-login": f"[[Docs Blog Sign in]]\n{PARA}",
    "en-breadcrumb": f"[[Home > Local > Libraries]]\n{PARA}",
    "en-share": f"{PARA}\n[[Share this story: Facebook | X | Email]]",
    "en-share-words": f"{PARA}\n[[Share on Facebook]]\n[[Share on X]]",
    "en-follow": f"{PARA}\n[[Follow us for weekly reading lists | About | Advertise]]",
    "en-cookie": f"[[This site uses cookies to give you the best experience. Accept | Reject]]\n{PARA}\n[[Cookie Settings]]",
    "en-consent": f"[[We use cookies to analyse site traffic and personalise ads. By clicking Accept all you consent.]]\n"
                  f"[[Accept all Manage preferences]]\n{PARA}",
    "en-javascript": f"{PARA}\n[[Please enable JavaScript to view the comments powered by a widget.]]",
    "en-related": f"{PARA}\n[[Related stories\n- Swimming pool to close for repairs The pool shuts in June for six weeks.\n"
                  f"- New bus timetable starts Monday]]",
    "en-related-until-paragraph": f"{PARA}\n[[More from Local\nBakery wins regional prize\nRoad works on Mill Lane]]\n{PARA}",
    "en-read-more": f"{PARA}\n[[Read more]]",
    "en-newsletter-prose": f"{PARA}\n[[Subscribe to our free weekly gardening letter and get planting guides "
                           f"delivered to your inbox every Monday.]]",
    "en-app": f"{PARA}\n[[Download our app for local alerts.]]",
    "en-caps-strip": f"{PARA}\n[[GARDEN CLUB\nSHOP NOW]]\n{PARA}",
    "en-affiliate": f"{PARA}\n[[When you buy through our links, we may earn a small commission at no cost to you.]]",
    "en-comments": f"{PARA}\n[[2 Comments\nPosted May 2 by ann_k\nGood news for the village.\n"
                   f"Posted May 3 by tomtom\nAbout time.\nLog in to post comments]]",
    "en-author-box": f"{PARA}\n[[About the author\nMaya Lind is a staff writer who covers county politics.]]",
    "en-byline": f"[[By Maya Lind and Tom Berg | May 3, 2024]]\n{PARA}",
    "en-disclaimer-pen-name": f"{PARA}\n[[Night Owl\nThe views expressed in this column are the author's own and do not "
                              f"reflect those of the paper.]]\n{PARA}",
    "en-dateline": f"[[2024-05-03 09:40 Last Updated At:09:40]]\n{PARA}\n[[Updated: May 3, 2024]]",
    "en-advertisement": f"{PARA}\n[[Advertisement]]\n{PARA}",
    "en-copyright": f"{PARA}\n[[© 2024 County Courier. All rights reserved.]]",
    "en-login": f"[[Log in / Register]]\n{PARA}",
    "en-back": f"{PARA}\n[[Back to top]]",
    # --- German
    "de-page": "[[Zum Inhalt springen]]\n[[Startseite › Kultur]]\nDie Stadtbibliothek bleibt auch im Sommer am "
               "Samstag geöffnet, teilte die Verwaltung am Montag mit, und die Leser freuen sich über die "
               "längeren Öffnungszeiten.\n[[Artikel teilen]]\n[[Wir verwenden Cookies, um Ihnen die bestmögliche "
               "Erfahrung zu bieten. Mehr erfahren]]\n[[Alle akzeptieren | Ablehnen]]\n[[Mehr zum Thema\n"
               "- Neue Lesesäle im Rathaus]]\n[[© 2024 Stadtanzeiger. Alle Rechte vorbehalten.]]",
    # --- French
    "fr-page": "[[Aller au contenu principal]]\nLa médiathèque restera ouverte le samedi tout l'été, a annoncé "
               "la mairie lundi, et les lecteurs se réjouissent de ces horaires plus longs.\n[[Partager sur "
               "Facebook]]\n[[Nous utilisons des cookies pour améliorer votre expérience. En savoir plus]]\n"
               "[[Tout accepter | Tout refuser]]\n[[À lire aussi\n- Un nouveau parc au bord du canal]]\n"
               "[[© 2024 Le Courrier. Tous droits réservés.]]",
    # --- Spanish
    "es-page": "[[Saltar al contenido]]\nLa biblioteca municipal abrirá también los sábados durante el verano, "
               "anunció el ayuntamiento el lunes, y los lectores celebran el nuevo horario ampliado.\n"
               "[[Compartir en Facebook]]\n[[Utilizamos cookies para mejorar tu experiencia. Más información]]\n"
               "[[Aceptar | Rechazar]]\n[[Te puede interesar\n- Un parque nuevo junto al río]]\n"
               "[[© 2024 El Diario. Todos los derechos reservados.]]",
    # --- Chinese
    "zh-page": "[[跳到主要内容]]\n[[首页 > 新闻 > 本地]]\n[[发布时间：2024-05-03 09:40]]\n市图书馆今年夏天周六也将开放，"
               "市政府周一宣布了这一消息，读者们对延长开放时间感到高兴。\n[[分享到：微信 微博]]\n[[相关阅读\n"
               "河边新公园开放]]\n[[版权所有 © 2024 本地新闻网]]",
    # --- Japanese
    "ja-page": "[[ログイン]]\n[[会員登録]]\n[[ホーム > 地域 > 図書館]]\n[[最終更新日：2024年5月3日 09:40]]\n"
               "市立図書館は夏の間も土曜日に開館すると、市が月曜日に発表しました。\n"
               "利用者からは喜びの声が上がっています\n・開館時間は午前九時から\n・駐車場は無料\n"
               "[[この記事をシェアする]]\n[[Xでシェア]]\n[[関連記事\n川沿いに新しい公園]]",
}

# Content that keyword rules (C4, datatrove) are known to destroy; none of it is chrome.
CONTENT = [
    "Cookies in the browser\nA cookie is set with the Set-Cookie header; document.cookie reads them all.\n"
    "We use cookies to keep the session id between requests in this chapter.\n"
    "If your shop has a privacy policy, list every cookie there with its lifetime.\n"
    "Please enable JavaScript in the browser settings before running the examples below.\n"
    "const parse = (raw) => { return raw.split('; ').map((p) => p.split('=')); };",
    "Opening hours\n| Day | Hours |\n|---|---|\n| Mon | Closed |\n| Tue | 9:00 - 17:00 |",
    "def share(post):\n    return post.url  # Share on Facebook\n",
    "> Share the load, she said, and nobody breaks.\nShare the dough into four pieces.",
    "INTRODUCTION\nThe study begins with a question about rainfall.\nMETHODS\nWe counted rainy days for a year.",
    "目次\n・非常食の選び方\n・水の保存方法\n見直すときの注意点\n賞味期限を確認し、古いものから使いましょう",
    "By Monday, the committee had voted on the budget.\nCopyright law differs between the two countries.",
    "Comments in Python start with a hash sign and run to the end of the line.\nPosted in the mail, the letter "
    "took three weeks to arrive.",
    "Related work\nEarlier surveys measured the same effect in smaller towns.",
    "Follow us on our walk along the coast in the next chapter.",
    "Die Meinung der Autorin hat sich über die Jahre geändert.\nTeilen Sie den Teig in vier Stücke.",
]


def _removed(marker, text):
    spans = list(marker.mark(Document("t", None, text)))
    return [text[s:e].strip() for s, e in merge_ranges((sp.start, sp.end) for sp in spans) if text[s:e].strip()]


def marked_spans(example: str) -> tuple[str, list[Span]]:
    """The example without ``[[ ]]`` and a span over each marked part of it."""
    plain, spans, pos = [], [], 0
    for piece in re.split(r"(\[\[.*?\]\])", example, flags=re.S):
        if piece.startswith("[["):
            piece = piece[2:-2]
            spans.append(Span(pos, pos + len(piece), "expected"))
        plain.append(piece)
        pos += len(piece)
    return "".join(plain), spans


def assert_marks_exactly(marker, example: str) -> None:
    """``marker`` removes the ``[[ ]]`` parts of ``example`` and nothing else (compared line by line)."""
    text, expected = marked_spans(example)
    got = list(marker.mark(Document("t", None, text)))
    lines = lambda t: [ln.strip() for ln in t.splitlines() if ln.strip()]  # noqa: E731
    assert lines(apply_spans(text, got)) == lines(apply_spans(text, expected))


def assert_keeps(marker, text: str) -> None:
    """``marker`` removes nothing of ``text``."""
    assert apply_spans(text, list(marker.mark(Document("t", None, text)))) == text


@pytest.mark.parametrize("name", sorted(CASES))
def test_chrome_goes_and_content_stays(rules_marker, name):
    text, expected = marked_spans(CASES[name])
    got = list(rules_marker.mark(Document("t", None, text)))
    lines = lambda t: [ln for ln in t.splitlines() if ln.strip()]  # noqa: E731
    assert lines(apply_spans(text, got)) == lines(apply_spans(text, expected))


@pytest.mark.parametrize("text", CONTENT)
def test_content_that_only_mentions_chrome_words_survives(rules_marker, text):
    assert _removed(rules_marker, text) == []
