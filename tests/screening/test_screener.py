"""Screening a text: each rule kind flags its example, and honest texts pass."""

from __future__ import annotations

import pytest

from bot.services.screening import screen
from bot.services.screening.defaults import default_rules
from bot.services.screening.domains import imitates
from models import RuleKind, ScreeningRule

RULES = [
    ScreeningRule(id=number, kind=kind, value=value, locale=locale, active=True)
    for number, (kind, value, locale) in enumerate(default_rules(), start=1)
]


def flagged(text: str) -> list[tuple[str, str]]:
    return [(finding.kind.value, finding.match) for finding in screen(text, RULES)]


@pytest.mark.parametrize(
    "text",
    [
        "Hello {first_name}, our spring sale starts today! Visit https://shop.example.com "
        "for 20% off.",
        "Hi {first_name|there}, see you at www.paypal.com/shop or https://amazon.co.jp/dp/1",
        "OK!",
        "NEW",
        "こんにちは {first_name|お客様}、本日より春のセールを開催します。ぜひお越しください。",
        "สวัสดีค่ะ ร้านของเราลดราคา 20% วันนี้ถึงวันอาทิตย์",
        "¡Hola {first_name}! Nuestra tienda abre el sábado a las 10:00.",
        "Здравствуйте! Скидка 10% на всё до воскресенья.",
        "Pi is 3.14, e.g. Mr.Smith knows; apply at apply.com, shop online.com, groups.google.com",
        "{FIRST_NAME} {LAST_NAME} {CITY} {COUNTRY} {ZIP_CODE}",
    ],
)
def test_an_honest_text_is_not_flagged(text: str) -> None:
    assert flagged(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Check https://bit.ly/3xYz now", ("shortener", "bit.ly")),
        ("Details: www.TinyURL.com/abc", ("shortener", "www.tinyurl.com")),
        ("Your account: paypa1.com/login", ("brand", "paypa1.com")),
        ("Log in at http://paypal-secure.com today", ("brand", "paypal-secure.com")),
        ("Log in at paypal.com.evil.io", ("brand", "paypal.com.evil.io")),
        ("Visit pаypal.com (a Cyrillic a)", ("brand", "pаypal.com")),
        ("Visit xn--pypal-4ve.com", ("brand", "xn--pypal-4ve.com")),
        ("Search on gooogle.com", ("brand", "gooogle.com")),
        ("Track it at dhl-express.info", ("brand", "dhl-express.info")),
        ("Write to help@netflix-billing.net", ("brand", "netflix-billing.net")),
        ("Please reply with your PASSWORD", ("credentials", "password")),
        ("Envíanos tu contraseña", ("credentials", "contrasena")),
        ("Отправьте номер карты", ("credentials", "номер карты")),
        ("กรุณาส่งรหัสผ่านของคุณ", ("credentials", "รหัสผ่าน")),
        ("カード番号を入力してください", ("credentials", "カード番号")),
        ("Congratulations, YOU   HAVE WON a car", ("phrase", "you have won")),
        ("¡Has ganado un iPhone!", ("phrase", "has ganado")),
        ("Вы выиграли приз", ("phrase", "вы выиграли")),
        ("ยินดีด้วย คุณได้รับรางวัลใหญ่", ("phrase", "คุณได้รับรางวัล")),
        ("おめでとうございます！当選しました", ("phrase", "当選しました")),
        ("HUGE SALE TODAY ONLY AT OUR STORE, COME NOW", ("capitals", "1.00")),
        ("Sale!!! $$$ ### !!! ??? *** %%% @@@ ^^^ now", ("symbols", "0.79")),
    ],
)
def test_each_kind_flags_its_example(text: str, expected: tuple[str, str]) -> None:
    assert expected in flagged(text)


def test_a_sentence_merely_containing_a_phrase_word_is_not_flagged() -> None:
    assert flagged("Our cvvault product and passwords-free login") == []
    assert flagged("We act nowhere near spam") == []


def test_findings_name_their_rule_and_come_once() -> None:
    findings = screen("bit.ly/a bit.ly/b and BIT.LY/c", RULES)
    assert len(findings) == 1
    [finding] = findings
    rule = next(rule for rule in RULES if rule.value == "bit.ly")
    assert (finding.rule_id, finding.kind, finding.value) == (rule.id, RuleKind.SHORTENER, "bit.ly")
    assert finding.to_json() == {
        "rule_id": rule.id,
        "kind": "shortener",
        "value": "bit.ly",
        "match": "bit.ly",
    }


def test_an_inactive_rule_flags_nothing() -> None:
    rules = [ScreeningRule(id=1, kind=RuleKind.SHORTENER, value="bit.ly", active=False)]
    assert screen("bit.ly/x", rules) == []


def test_the_strictest_share_rule_applies_once() -> None:
    rules = [
        ScreeningRule(id=1, kind=RuleKind.CAPITALS, value="0.6", active=True),
        ScreeningRule(id=2, kind=RuleKind.CAPITALS, value="0.4", active=True),
    ]
    [finding] = screen("HALF OF THIS TEXT IS in small letters", rules)
    assert finding.rule_id == 2


@pytest.mark.parametrize(
    ("host", "brand", "expected"),
    [
        ("paypal.com", "paypal.com", False),
        ("www.paypal.com", "paypal.com", False),
        ("checkout.paypal.com", "paypal.com", False),
        ("paypal.de", "paypal.com", False),
        ("amazon.co.jp", "amazon.com", False),
        ("paypal.net", "paypal.com", True),
        ("paypa1.com", "paypal.com", True),
        ("paypai.com", "paypal.com", True),
        ("arnazon.com", "amazon.com", True),
        ("amazom.com", "amazon.com", True),
        ("micros0ft-support.com", "microsoft.com", True),
        ("secure-login.apple.com.verify.io", "apple.com", True),
        ("apply.com", "apple.com", False),
        ("lime.com", "line.me", False),
        ("online.com", "line.me", False),
        ("groups.google.com", "ups.com", False),
        ("cups.com", "ups.com", False),
        ("ups-tracking.net", "ups.com", True),
        ("amazonaws.com", "amazon.com", False),
    ],
)
def test_lookalikes(host: str, brand: str, expected: bool) -> None:
    assert imitates(host, brand) is expected
