"""Chrome kinds a new user found left in text input (scraped text, WET): datelines with a time,
cookie notices that ask for consent by use, read-also links; in the languages they are bound to."""
import pytest

import cleaner

DE = ("Die Gemeinde hat am Montag den neuen Haushalt beschlossen, nach langer Debatte im Rat über die Schulen.",
      "Der Bürgermeister sagte, die Mittel für die Sanierung der Grundschule seien damit endlich gesichert.")
ES = ("El ayuntamiento aprobó el lunes el nuevo presupuesto tras un largo debate en el pleno sobre las escuelas.",
      "La alcaldesa dijo que los fondos para reformar la escuela primaria quedan por fin asegurados.")
FR = ("La commune a adopté lundi le nouveau budget après un long débat au conseil sur les écoles.",
      "Le maire a déclaré que les fonds pour rénover l'école primaire étaient enfin assurés.")


def _removed(body: tuple[str, str], line: str) -> tuple[bool, list[str]]:
    doc = cleaner.clean_text(f"{body[0]}\n{line}\n{body[1]}")
    assert body[0] in doc.clean_text and body[1] in doc.clean_text   # the article stays whole
    return line not in doc.clean_text, [s.rule for s in doc.removed]


@pytest.mark.parametrize("body,line,rule", [
    (ES, "Actualizado: 12/03/2026 10:45", "chrome.es.dateline@1"),
    (ES, "Publicado: 12-03-2026 10:45", "chrome.es.dateline@1"),
    (FR, "Mis à jour : 12/03/2026 10:45", "chrome.fr.dateline@1"),
    (DE, "Diese Website verwendet Cookies. Wenn Sie die Seite weiter nutzen, stimmen Sie der Verwendung von Cookies zu.",
     "chrome.de.cookie-notice@1"),
    (DE, "Wir nutzen Cookies. Mit der weiteren Nutzung der Seite sind Sie damit einverstanden.", "chrome.de.cookie-notice@1"),
    (DE, "Lesen Sie auch: Baustelle an der Hauptstraße dauert länger", "chrome.de.read-also-link@1"),
    (ES, "Te puede interesar: Las obras de la calle Mayor se alargan", "chrome.es.read-also-link@1"),
    (FR, "À lire aussi : Pourquoi la rivière monte encore", "chrome.fr.read-also-link@1"),
])
def test_the_chrome_line_goes_and_the_article_stays(body, line, rule):
    gone, rules = _removed(body, line)
    assert gone and rule in rules


@pytest.mark.parametrize("body,line", [
    (ES, "Actualizado: 12/03/2026 10:45 llegó el último tren con los pasajeros del norte."),
    (DE, "Wir nutzen Cookies seit Jahren, sagt der Bäcker, und backen sie jeden Morgen frisch."),
    (DE, "Lesen Sie auch: Der Rat hat den Plan beschlossen, sagte die Bürgermeisterin."),
    (ES, "Lee también: el consejo aprobó el plan, dijo la alcaldesa."),
])
def test_a_sentence_that_starts_like_chrome_stays(body, line):
    gone, _ = _removed(body, line)
    assert not gone


POST = ("My starter is about ten days old and since yesterday it smells strongly of acetone. "
        "I feed it once a day with equal weights of flour and water. Is it ruined?")
REPLY = ("That smell means it is hungry: the yeast has run out of food. Feed it twice a day for a few days "
         "and the smell should go away.")


@pytest.mark.parametrize("bar", ["Reply Quote Report", "Like · Reply · Share", "Antworten Zitieren Melden", "返信 引用 通報"])
def test_a_posts_action_bar_on_one_line_goes(bar):
    doc = cleaner.clean_text(f"{POST}\n{bar}\n{REPLY}\n{bar}")
    assert bar not in doc.clean_text and POST in doc.clean_text and REPLY in doc.clean_text
    assert {s.rule for s in doc.removed} & {"chrome.post-action-bar@1", "chrome.menu-bar@1"}   # the first rule in order names it


def test_a_sentence_that_starts_with_an_action_word_stays():
    line = "Report the smell to the baker before you throw the starter away, she said."
    doc = cleaner.clean_text(f"{POST}\n{line}")
    assert line in doc.clean_text


PRODUCT = ("The Trailblazer 40L is built for long day hikes and light overnight trips. Its ventilated back panel "
           "keeps air moving between you and the pack.")


@pytest.mark.parametrize("line", ["Secure payment with Visa, Mastercard and PayPal. Free returns within 30 days.",
                                  "$129.99 Tax included.", "19,99 € including VAT, plus shipping"])
def test_a_shops_payment_and_tax_notes_go(line):
    doc = cleaner.clean_text(f"{PRODUCT}\n{line}")
    assert line not in doc.clean_text and PRODUCT in doc.clean_text


@pytest.mark.parametrize("line", ["Secure payment with a card is now the norm in the market, the banker said.",
                                  "Tax included in the price rose by a fifth, the report found."])
def test_sentences_about_payment_and_tax_stay(line):
    doc = cleaner.clean_text(f"{PRODUCT}\n{line}")
    assert line in doc.clean_text


def test_a_short_signature_under_each_post_goes_with_its_first_copy():
    third = "Thank you! I fed it twice today and it already smells more like yoghurt than nail polish remover."
    sig = "-- Happy baking from Leeds!"
    doc = cleaner.clean_text(f"{POST}\n{sig}\nReply Quote Report\n{REPLY}\nReply Quote Report\n{third}\n{sig}\nReply Quote Report")
    assert sig not in doc.clean_text
    assert POST in doc.clean_text and REPLY in doc.clean_text and third in doc.clean_text


def test_a_short_line_repeated_without_chrome_beside_it_stays():
    line = "Slowly, slowly, now."
    text = f"{POST}\n{line}\n{REPLY}\n{line}\nThe river is wide and the night is long."
    assert cleaner.clean_text(text).clean_text.count(line) == 2
