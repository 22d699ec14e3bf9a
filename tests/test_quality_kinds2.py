"""Issue 15, second round: the kinds of leak and loss found on pages of every type, each from both sides.

Inputs are invented here. Rule kinds run through the whole rule set (``[[...]]`` marks exactly
what must go); source indentation through extraction, then the markers.
"""
from __future__ import annotations

import pytest

from cleaner.config import load_options
from cleaner.document import Document, apply_spans
from cleaner.extract.main_content import extract
from cleaner.extract.code_text import dedent_source_lines, drop_line_numbers
from cleaner.extract.main_content import parse_html
from cleaner.pipeline import build_markers

from test_quality_kinds import DE, EN, EN2, ES, FR, JA, ZH
from test_rules_faults import assert_keeps, assert_marks_exactly, marked_spans

RULE_CASES = {
    # a rights line with the years after it
    "en-rights-years": f"{EN}\n[[HARBOUR PRINTING. All rights reserved, 2010-2026]]",
    "de-rights-years": f"{DE}\n[[Beispiel Verlag. Alle Rechte vorbehalten, 2010-2026]]",
    "fr-rights-years": f"{FR}\n[[Exemple Presse. Tous droits réservés, 2019-2025]]",
    "es-rights-years": f"{ES}\n[[Ejemplo Medios. Todos los derechos reservados 2024.]]",
    # the software a forum or blog runs on
    "any-powered-by": f"{EN}\n{EN2}\n[[Powered by mwForum 2.29.6 © 1999-2015 Markus Wichitill]]",
    "any-powered-by-de": f"{DE}\n[[Powered by phpBB® Forum Software © phpBB Limited]]",
    # a shop's secure-payment notice, in the words the shop software prints in each language
    "en-payment": f"{EN}\n[[Your payment information is processed securely. We do not store credit card details "
                  f"nor have access to your credit card information.]]\n{EN2}",
    "de-payment": f"{DE}\n[[Deine Zahlungsinformationen werden sicher verarbeitet. Wir speichern keine "
                  f"Kreditkartendaten und haben keinen Zugriff auf deine Kreditkarteninformationen.]]",
    "fr-payment": f"{FR}\n[[Vos informations de paiement sont traitées de manière sécurisée. Nous ne conservons pas "
                  f"les informations relatives à votre carte de crédit et n'y avons pas accès.]]",
    "es-payment": f"{ES}\n[[Tu información de pago se procesa de forma segura. No almacenamos los datos de la "
                  f"tarjeta de crédito ni tenemos acceso a la información de tu tarjeta de crédito.]]",
    "ja-payment": f"{JA}\n[[お支払い情報は安全に処理されます。クレジットカードの詳細を保存したり、クレジットカード情報に"
                  f"アクセスしたりすることはできません。]]",
    "zh-payment": f"{ZH}\n[[您的付款信息处理安全。我们不会存储信用卡详细信息，也无法访问您的信用卡信息。]]",
    # notes on prices
    "en-price-note": f"{EN}\n[[Compared to the selling price when the item was first put up for sale on https://mugs.example]]\n"
                     f"[[Regional availability and other factors may cause product pricing to vary. Double check product "
                     f"details before purchasing.]]",
    "de-price-note": f"{DE}\n[[Alle Preise inkl. MwSt. zzgl. Versandkosten]]",
    "fr-price-note": f"{FR}\n[[Prix et disponibilité susceptibles de changer sans préavis.]]",
    "es-price-note": f"{ES}\n[[Precios y disponibilidad sujetos a cambios.]]",
    "ja-price-note": f"{JA}\n[[価格および在庫状況は変更される場合があります。]]",
    "zh-price-note": f"{ZH}\n[[价格和库存情况可能会有所变动。]]",
    # discount codes
    "en-promo-code": f"{EN}\n[[Get $10 off your first order with code: TryHARBOUR]]\n{EN2}",
    "de-promo-code": f"{DE}\n[[10 % Rabatt mit dem Code SOMMER10]]",
    "fr-promo-code": f"{FR}\n[[-10 % sur votre première commande avec le code BIENVENUE10]]",
    "es-promo-code": f"{ES}\n[[10 % de descuento en tu primer pedido con el código HOLA10]]",
    "ja-promo-code": f"{JA}\n[[クーポンコード「SPRING10」で10%オフ]]",
    "zh-promo-code": f"{ZH}\n[[使用优惠码 SAVE10 立减10元]]",
    # a free download for a sign-up
    "en-lead-magnet": f"{EN}\n[[Download a free workbook to help you plan your garden with confidence.]]\n{EN2}",
    "de-lead-magnet": f"{DE}\n[[Jetzt kostenlosen Leitfaden herunterladen]]",
    "fr-lead-magnet": f"{FR}\n[[Téléchargez notre guide gratuit pour bien choisir votre matelas.]]",
    "es-lead-magnet": f"{ES}\n[[Descarga nuestra guía gratuita para elegir colchón.]]",
    "ja-lead-magnet": f"{JA}\n[[無料の資料をダウンロードする]]",
    "zh-lead-magnet": f"{ZH}\n[[免费下载《装修指南》电子书]]",
    # the sales pitch that closes a page
    "en-closing-pitch": f"{EN}\n[[Ready to plan your next library visit? Request a demo today to see how Shelfwise helps.]]",
    "en-closing-pitch-row": f"{EN}\n[[| Ready to sleep again? Get Started |]]",
    "de-closing-pitch": f"{DE}\n[[Bereit für den nächsten Schritt? Jetzt Demo vereinbaren.]]",
    "fr-closing-pitch": f"{FR}\n[[Prêt à passer à l'étape suivante ? Demandez une démo dès aujourd'hui.]]",
    "es-closing-pitch": f"{ES}\n[[¿Listo para dar el siguiente paso? Solicita una demo hoy mismo.]]",
    "ja-closing-pitch": f"{JA}\n[[導入を検討しませんか？お問い合わせはこちら]]",
    "zh-closing-pitch": f"{ZH}\n[[准备好提升团队效率了吗？立即预约演示。]]",
    # a prompt to readers who have not subscribed
    "en-subscribe-prompt": f"{EN}\n[[If you haven’t subscribed, join here:]]\n{EN2}",
    "de-subscribe-prompt": f"{DE}\n[[Noch kein Abonnent? Jetzt kostenlos anmelden.]]",
    "fr-subscribe-prompt": f"{FR}\n[[Pas encore abonné ? Abonnez-vous gratuitement.]]",
    "es-subscribe-prompt": f"{ES}\n[[¿Aún no estás suscrito? Suscríbete gratis.]]",
    "ja-subscribe-prompt": f"{JA}\n[[まだ登録していない方はこちらから登録してください。]]",
    "zh-subscribe-prompt": f"{ZH}\n[[还没有订阅？立即订阅我们的周报。]]",
    # text-size and contrast controls
    "en-text-size": f"[[Font size options\nIncrease or decrease the font size for this website by clicking on the 'A's.]]\n{EN}",
    "de-text-size": f"[[Schriftgröße: A A A]]\n{DE}",
    "fr-text-size": f"[[Taille du texte : A A A]]\n{FR}",
    "es-text-size": f"[[Tamaño de letra: A A A]]\n{ES}",
    "ja-text-size": f"[[文字サイズ 小 中 大]]\n{JA}",
    "zh-text-size": f"[[字号：大 中 小]]\n{ZH}",
    # shipping and returns strips
    "en-shipping": f"[[Free standard shipping on orders $40+]]\n{EN}\n[[Free returns within 30 days of your purchase.]]",
    "de-shipping": f"[[Kostenloser Versand ab 50 €]]\n{DE}",
    "fr-shipping": f"[[Livraison gratuite dès 50 €]]\n{FR}",
    "es-shipping": f"[[Envío gratis en pedidos superiores a 50 €]]\n{ES}",
    "ja-shipping": f"[[5,000円以上のご注文で送料無料]]\n{JA}",
    "zh-shipping": f"[[满99元包邮]]\n{ZH}",
    # the text of an error or maintenance page
    "en-error-page": "[[We'll Be Right Back!\nIt looks like we're having some trouble accessing your account.\n"
                     "We’re working hard at getting everything back up and running,\nso check back soon to see your statements.]]",
    "de-error-page": "[[Seite nicht gefunden\nEs ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.]]",
    "fr-error-page": "[[Page introuvable\nNous revenons bientôt !]]",
    "es-error-page": "[[Página no encontrada\n¡Volvemos pronto!]]",
    "ja-error-page": "[[お探しのページは見つかりませんでした。\nただいまメンテナンス中です。]]",
    "zh-error-page": "[[抱歉，您访问的页面不存在。\n系统维护中]]",
    # the fine print of a product page
    "en-fine-print": f"{EN}\n[[* Image simulated for illustrative purposes. Actual UI may be different.]]\n"
                     f"[[** Color and model availability may vary depending on country, region or carrier.]]\n"
                     f"[[*** MicroSD card sold separately.]]",
    "de-fine-print": f"{DE}\n[[Abbildung ähnlich]]\n[[Die Verfügbarkeit kann je nach Land variieren.]]",
    "fr-fine-print": f"{FR}\n[[Photo non contractuelle]]\n[[Carte mémoire vendue séparément.]]",
    "es-fine-print": f"{ES}\n[[Imagen simulada.]]\n[[La disponibilidad puede variar según el país.]]",
    "ja-fine-print": f"{JA}\n[[※画像はイメージです。]]\n[[microSDカードは別売です。]]",
    "zh-fine-print": f"{ZH}\n[[图片仅供参考]]\n[[功能因国家或地区而异。]]",
    # widget and dialog text of shop pages
    "any-review-widget-debug": f"{EN}\n[[bvseo_sdk, dw_cartridge, 18.2.0, p_sdk_3.2.0\nCLOUD, getReviews, 0ms\nreviews, product\n"
                               f"bvseo-msg: SEO SDK is disabled. Enable by setting seo.sdk.enabled to true.]]",
    "en-sms-consent": f"{EN}\n[[By checking the box, you agree to receive recurring automated promotional and marketing text "
                      f"messages from Harbour Mugs at the cell number provided. Msg & data rates may apply.]]",
    "en-verify-code": f"{EN}\n[[Verify Your Account\nYou’ve got mail. It’s a 6-digit code. Don’t see it? Check your junk email. "
                      f"This code will expire in 15 minutes.]]",
    # an investment-product disclosure strip (United States only)
    "en-investment-disclosure": f"{EN}\n[[· NOT FDIC INSURED · NOT BANK GUARANTEED · MAY LOSE VALUE]]",
}

LOOKALIKE_CONTENT = [
    "The publisher said all rights reserved under the old contract stay with the author.",
    "Powered by solar panels, the boat crossed the lake in a day.\nPowered by the wind and nothing else",
    "Payment information is processed by the bank within two days, the court heard on Tuesday.",
    "Prices and availability of rental flats changed sharply after the new law, the survey says, and rents rose by a fifth in two years.",
    "Use code blocks for every command you show, the style guide says, so readers can copy it.\nThe save button writes the code to disk.",
    "Der Code ABC123 steht auf der Rückseite der Karte, sagt die Bank.",
    "The library lets you download a free copy of the 1851 edition, which is how I first read it.",
    "Ready to go? We left at dawn and reached the hut by noon.",
    "Want to know why the river floods? Get the map out and look at the valley.",
    "¿Listos para salir? Dejamos el refugio al amanecer y llegamos a la cumbre al mediodía.",
    "準備はできましたか？私たちは夜明けに山小屋を出た。",
    "If you haven't subscribed to the water service, the council bills you for the full year.",
    "Font size matters: twelve points is the smallest that older readers manage, the study found, and the paper used nine.",
    "Deposits are FDIC insured up to $250,000 per depositor, the bank says.",
    "Die Preise inklusive Mehrwertsteuer stiegen 2023 um vier Prozent, meldet das Statistische Amt.",
    "文字サイズは読みやすさに大きく影響すると研究者は述べた。",
    "市政府说，房价比去年上涨了两成。",
    "Free shipping ended the price war, the analyst said, because every shop had to offer it and margins fell for years.",
    "Something went wrong with the launch, the agency admitted, and the rocket was lost over the sea.",
    "Error 404 means the server found no page at that address; the guide explains how to fix broken links.",
    "The batteries are sold separately, which annoyed every reviewer who bought the radio for a camping trip last summer.",
    "Enter the 6-digit code from the authenticator app, then press Continue to finish the set-up.",
    "reviews, product\nThe mug keeps tea hot for an hour.",
    "Es ist ein Fehler aufgetreten, gab die Behörde zu, und die Rakete ging über dem Meer verloren.",
    "电池需要另外购买，很多买收音机去露营的人抱怨。",
]


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_kinds_go_and_nothing_else(rules_marker, name):
    assert_marks_exactly(rules_marker, RULE_CASES[name])


@pytest.mark.parametrize("text", LOOKALIKE_CONTENT)
def test_content_that_looks_like_these_kinds_stays(rules_marker, text):
    assert_keeps(rules_marker, text)


# ------------------------------------------------------------------ indentation from the page's source

CODE_PAGE = """<html><body><p>Run this:</p>
<pre><code>def f():
    return 1
</code></pre><p>Then it returns one.</p></body></html>"""


def test_source_indentation_is_taken_off_lines_no_code_element_holds():
    root = parse_html(CODE_PAGE)
    text = "Run this:\ndef f():\n    return 1\n\t\t\tUpvotes: 0\n          Regular price\n    - nested item\n    2. nested step"
    out = dedent_source_lines(root, text).split("\n")
    assert out[2] == "    return 1"          # a line of the page's code keeps its indentation
    assert out[3] == "Upvotes: 0"            # source white space before forum furniture goes
    assert out[4] == "Regular price"
    assert out[5:] == ["    - nested item", "    2. nested step"]   # nested list items stay indented


def test_a_text_without_indented_lines_is_returned_as_it_is():
    text = "One line.\nAnother line."
    assert dedent_source_lines(parse_html("<p>x</p>"), text) is text


SHOP = """<html><head><title>Harbour Mug</title></head><body><main>
<h1>Harbour Mug</h1>
<p>A stoneware mug glazed in the blue of the harbour at dusk, thrown by hand in our workshop on the quay.</p>
<div class="price">
          <span>
            $24.00
          </span>
          <s>
          Regular price
          </s>
</div>
<div>
			Upvotes: 0
		</div>
<p>Each mug holds a third of a litre and goes in the dishwasher; the glaze is free of lead and cadmium.</p>
<pre>
    care:
      - rinse before first use
</pre>
</main></body></html>"""


def test_shop_labels_indented_by_the_source_go_and_code_stays():
    opts = load_options()
    doc = Document("t", None, extract(SHOP.encode(), opts).text)
    for m in build_markers(opts):
        m(doc)
    out = apply_spans(doc.text, doc.removed)
    assert "Regular price" not in out and "Upvotes" not in out
    assert "stoneware mug" in out and "$24.00" in out
    if "care:" in out:   # trafilatura may keep or drop the <pre>; when kept, its indentation stays
        assert "      - rinse before first use" in out


# ------------------------------------------------------------------ line numbers of code blocks

def test_line_numbers_of_a_code_block_go_and_its_code_stays():
    page = ("<html><body><p>Put this file at the top of the repository and commit it before the first build runs.</p>"
            "<div class='highlight'><pre><span class='linenos'>1</span># settings for the build\n"
            "<span class='linenos'>2</span>version: 2\n<span class='linenos'>3</span>build:\n"
            "<span class='linenos'>4</span>  os: ubuntu-24.04\n</pre></div>"
            "<p>The build reads the file on every push and fails when a key is spelt wrong, so check it twice.</p>"
            "</body></html>")
    text = extract(page.encode(), load_options()).text
    assert "version: 2" in text and "build:" in text
    assert "2version" not in text and "3build" not in text


def test_an_element_named_like_a_gutter_that_holds_words_stays():
    root = parse_html("<table><tr><td class='gutter'>Our gutter cleaning service runs all year.</td>"
                      "<td class='linenos'>1\n2\n3</td></tr></table>")
    assert drop_line_numbers(root) == 1
    assert "gutter cleaning" in root.text_content()


def test_an_error_page_is_dropped_as_empty():
    import cleaner
    page = (b"<html><head><title>Error</title></head><body><main><h1>We'll Be Right Back!</h1>"
            b"<p>It looks like we're having some trouble accessing your account.</p>"
            b"<p>We're working hard at getting everything back up and running, so check back soon to see your statements.</p>"
            b"</main></body></html>")
    doc = cleaner.clean_html(page)
    assert doc.clean_text.strip() == "" and doc.dropped


# ------------------------------------------------------------------ call-to-action boxes named in the markup

def _cta_found(html: str) -> list[str]:
    from cleaner.extract.prune import find_chrome
    return [" ".join(el.text_content().split()) for _, el in find_chrome(parse_html(html), ["cta"])]


ARTICLE_P = ("<p>The county library board met on Thursday evening and agreed to keep the branch in the old mill open "
             "for another two years, after residents handed in a petition with four thousand names.</p>")


def test_a_call_to_action_box_named_in_the_markup_is_pruned():
    page = (f"<html><body><article><h1>Branch stays open</h1>{ARTICLE_P}"
            "<div class='blog-block-cta'><h2>Looking for more ideas for your library?</h2>"
            "<p>Launch a reading club with Shelfwise.</p><a class='button'>Request a demo</a></div>"
            f"{ARTICLE_P}<section id='callToAction'><p>Sign up for a free trial today.</p></section></article></body></html>")
    assert _cta_found(page) == ["Looking for more ideas for your library?Launch a reading club with Shelfwise.Request a demo",
                                "Sign up for a free trial today."]


def test_links_named_cta_and_long_sections_are_no_call_to_action_box():
    long_text = " ".join([ARTICLE_P] * 4)
    page = (f"<html><body><article><h1>Branch stays open</h1>{ARTICLE_P}"
            f"<p>Read the <a class='cta'>board's minutes</a> for the vote.</p>"
            f"<div class='cta-section'>{long_text}</div><div class='octagon'>{ARTICLE_P}</div></article></body></html>")
    assert _cta_found(page) == []


ACCOUNT_CASES = {
    "en": "[[Forgot your Password\nEnter your email address and we’ll send you instructions to reset your password.\n"
          "Didn’t receive a code?\nRemember me]]",
    "de": "[[Passwort vergessen?\nAngemeldet bleiben\nNoch kein Konto? Jetzt registrieren]]",
    "fr": "[[Mot de passe oublié ?\nSe souvenir de moi]]",
    "es": "[[¿Olvidaste tu contraseña?\nRecordarme]]",
    "ja": "[[パスワードをお忘れですか？\nログイン状態を保持する]]",
    "zh": "[[忘记密码？\n记住我\n还没有账号？立即注册]]",
}
TEXTS = {"en": EN, "de": DE, "fr": FR, "es": ES, "ja": JA, "zh": ZH}


@pytest.mark.parametrize("lang", sorted(ACCOUNT_CASES))
def test_log_in_dialog_text_goes(rules_marker, lang):
    text, expected = marked_spans(f"{TEXTS[lang]}\n{ACCOUNT_CASES[lang]}")
    got = list(rules_marker.mark(Document("t", None, text)))
    assert apply_spans(text, got).strip() == apply_spans(text, expected).strip() == TEXTS[lang]


def test_sentences_about_passwords_stay(rules_marker):
    text = "She forgot her password twice and the bank locked the account for a day.\nRemember me when you sing it, she wrote."
    assert apply_spans(text, list(rules_marker.mark(Document("t", None, text)))) == text


# ------------------------------------------------------------------ comment tokens of highlighted code

def test_comment_tokens_of_highlighted_code_are_no_reader_comments():
    from cleaner.extract.prune import find_chrome
    code = "".join(f"<span class='token comment'>// Run effect number {i}</span>\nsubscribe({i});\n" for i in range(4))
    page = ("<html><body><article><h1>Effects</h1><p>The guide explains how an effect runs after every render "
            f"and how it cleans up after itself.</p><pre><code>{code}</code></pre></article></body></html>")
    assert find_chrome(parse_html(page), ["comments"]) == []
    text = extract(page.encode(), load_options()).text
    assert "// Run effect number 0" in text and "// Run effect number 3" in text


def test_a_reader_comment_thread_is_still_pruned():
    from cleaner.extract.prune import find_chrome
    items = "".join(f"<div class='comment'><p>Reader {i} liked the guide a lot.</p></div>" for i in range(4))
    guide = "<p>The guide explains how an effect runs after every render and how it cleans up after itself.</p>" * 6
    page = f"<html><body><article><h1>Effects</h1>{guide}</article><div class='comments-area'>{items}</div></body></html>"
    assert [kind for kind, _ in find_chrome(parse_html(page), ["comments"])] == ["comments"]
