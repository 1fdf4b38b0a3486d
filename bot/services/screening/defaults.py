"""The built-in screening rules, written to the table once, when it has no rows at all.

After that they are the operator's data like any other rule: one they turn off stays off.
Phrases are kept in the language they are written in; every phrase is looked for in every
text (a member may write in any language), the locale only sorts them for the operator.
"""

from __future__ import annotations

from models import RuleKind

# Hosts whose links hide where they lead.
SHORTENERS = (
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "t.ly",
    "s.id",
    "v.gd",
    "bl.ink",
    "t.co",
    "lnkd.in",
    "shorte.st",
    "adf.ly",
    "qr.ae",
)

# Brands whose look-alike domains are the usual phishing bait.
BRANDS = (
    "paypal.com",
    "apple.com",
    "google.com",
    "microsoft.com",
    "amazon.com",
    "netflix.com",
    "facebook.com",
    "instagram.com",
    "whatsapp.com",
    "telegram.org",
    "line.me",
    "dhl.com",
    "fedex.com",
    "ups.com",
    "chase.com",
    "wellsfargo.com",
    "hsbc.com",
    "santander.com",
    "bbva.com",
    "sberbank.ru",
    "kasikornbank.com",
    "scb.co.th",
    "mufg.jp",
)

# Requests for passwords, codes and card details, per locale.
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "en": (
        "password",
        "verify your account",
        "confirm your account",
        "login details",
        "card number",
        "cvv",
        "pin code",
        "one-time code",
        "verification code",
        "security code",
        "bank details",
        "social security number",
    ),
    "es": (
        "contraseña",
        "verifica tu cuenta",
        "confirma tu cuenta",
        "numero de tarjeta",
        "codigo de verificacion",
        "codigo de seguridad",
        "datos bancarios",
        "clave de acceso",
    ),
    "ru": (
        "пароль",
        "подтвердите аккаунт",
        "подтвердите учетную запись",
        "номер карты",
        "код из смс",
        "код подтверждения",
        "данные карты",
    ),
    "th": ("รหัสผ่าน", "ยืนยันบัญชี", "เลขบัตร", "รหัส otp", "ข้อมูลบัตร", "รหัสยืนยัน"),
    "ja": (
        "パスワード",
        "暗証番号",
        "カード番号",
        "アカウントを確認",
        "認証コード",
        "ログイン情報",
    ),
}

# Phrases of the usual spam, per locale.
PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "you have won",
        "you've won",
        "claim your prize",
        "cash prize",
        "double your money",
        "get rich quick",
        "earn money fast",
        "100% free",
        "risk-free investment",
        "no credit check",
        "you have been selected",
        "act now",
    ),
    "es": (
        "has ganado",
        "reclama tu premio",
        "premio en efectivo",
        "dinero facil",
        "gana dinero rapido",
        "duplica tu dinero",
        "100% gratis",
        "has sido seleccionado",
    ),
    "ru": (
        "вы выиграли",
        "получите приз",
        "денежный приз",
        "быстрый заработок",
        "заработок без вложений",
        "удвойте деньги",
        "100% бесплатно",
    ),
    "th": ("คุณได้รับรางวัล", "ถูกรางวัล", "รับเงินฟรี", "รายได้เสริม", "รวยเร็ว", "ฟรี 100%"),
    "ja": ("当選しました", "賞金", "簡単に稼げる", "高収入", "今すぐクリック", "完全無料"),
}

# The largest shares allowed, of capital letters among letters and of symbols among characters.
CAPITALS = "0.6"
SYMBOLS = "0.3"


def default_rules() -> list[tuple[RuleKind, str, str | None]]:
    """Every built-in rule as (kind, value, locale)."""
    rules: list[tuple[RuleKind, str, str | None]] = [
        (RuleKind.SHORTENER, host, None) for host in SHORTENERS
    ]
    rules += [(RuleKind.BRAND, domain, None) for domain in BRANDS]
    for locale, phrases in CREDENTIALS.items():
        rules += [(RuleKind.CREDENTIALS, phrase, locale) for phrase in phrases]
    for locale, phrases in PHRASES.items():
        rules += [(RuleKind.PHRASE, phrase, locale) for phrase in phrases]
    rules += [(RuleKind.CAPITALS, CAPITALS, None), (RuleKind.SYMBOLS, SYMBOLS, None)]
    return rules
