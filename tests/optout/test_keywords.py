"""The recipient keyword matcher: every default keyword, the forms people type, and refusals."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import SUPPORTED_LOCALES
from bot.services.optout.keywords import (
    DEFAULT_KEYWORDS,
    LANGUAGE_NEUTRAL,
    MAX_KEYWORD_LENGTH,
    MAX_MESSAGE_LENGTH,
    Intent,
    KeywordMatcher,
    KeywordRefused,
    Match,
    Refusal,
    normalize,
)

LISTED = [
    (intent, language, keyword)
    for intent, by_language in DEFAULT_KEYWORDS.items()
    for language, keywords in by_language.items()
    for keyword in keywords
]
# The ways people end a message: emoji with skin tones, variation selectors, joiners, flags.
EMOJI_TAILS = (
    " 🙏",
    "🙏",
    "👋🏽",
    " ❤️",
    " 👍🏻👍🏻",
    " 👨‍👩‍👧‍👦",
    "🇯🇵",
    "!!! 🙏🏽",
    "。😊",
    " ✋🏿 ",
)
PADDINGS = (("  ", "  "), ("\t", "\n"), ("", "!"), ("¡", "!"), ("“", "”"), ("", "..."), ("", "！"))


def _languages_of(keyword: str) -> set[str]:
    return {language for _, language, listed in LISTED if listed.casefold() == keyword.casefold()}


def _expected(intent: Intent, language: str, keyword: str) -> Match:
    neutral = keyword in LANGUAGE_NEUTRAL or len(_languages_of(keyword)) > 1
    return Match(intent, keyword, None if neutral else language)


def _mixed_case(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def _full_width(text: str) -> str:
    """ASCII letters and punctuation as their full-width forms (ＳＴＯＰ), spaces as U+3000."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


@pytest.fixture(scope="module")
def matcher() -> KeywordMatcher:
    return KeywordMatcher()


@pytest.mark.parametrize(("intent", "language", "keyword"), LISTED)
def test_every_default_keyword_matches_in_every_form(
    matcher: KeywordMatcher, intent: Intent, language: str, keyword: str
) -> None:
    expected = _expected(intent, language, keyword)
    forms = [keyword, keyword.lower(), keyword.upper(), _mixed_case(keyword), _full_width(keyword)]
    forms += [before + keyword + after for before, after in PADDINGS]
    forms += [keyword.lower() + tail for tail in EMOJI_TAILS]
    for form in forms:
        assert matcher.match(form) == expected, form


def test_every_language_has_stop_start_and_help() -> None:
    wanted = {*SUPPORTED_LOCALES, "fr", "de", "pt", "it"}
    for intent in (Intent.STOP, Intent.START, Intent.HELP):
        assert wanted <= set(DEFAULT_KEYWORDS[intent]), intent


def test_the_industry_defaults_are_there() -> None:
    english = DEFAULT_KEYWORDS[Intent.STOP]["en"]
    for word in ("STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"):
        assert word in english
    assert DEFAULT_KEYWORDS[Intent.STOP_ALL]["en"][0] == "STOPALL"
    assert {"START", "UNSTOP", "YES"} <= set(DEFAULT_KEYWORDS[Intent.START]["en"])
    assert {"HELP", "INFO"} <= set(DEFAULT_KEYWORDS[Intent.HELP]["en"])


def test_language_neutral_keywords_are_listed() -> None:
    assert {keyword for _, _, keyword in LISTED} >= LANGUAGE_NEUTRAL


def test_every_default_keyword_fits_the_member_limit() -> None:
    assert all(0 < len(normalize(keyword)) <= MAX_KEYWORD_LENGTH for _, _, keyword in LISTED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOPALL", Match(Intent.STOP_ALL, "STOPALL", None)),
        ("stop all!", Match(Intent.STOP_ALL, "STOP ALL", "en")),
        ("ＳＴＯＰ", Match(Intent.STOP, "STOP", None)),
        ("ｽﾄｯﾌﾟ", Match(Intent.STOP, "ストップ", "ja")),  # half-width katakana
        ("停止！", Match(Intent.STOP, "停止", "ja")),
        ("配信停止。", Match(Intent.STOP, "配信停止", "ja")),
        ("Opt-Out", Match(Intent.STOP, "OPT OUT", "en")),
        ("arret", Match(Intent.STOP, "ARRET", "fr")),
        ("Arrêt !", Match(Intent.STOP, "ARRÊT", "fr")),
        ("ARRÉT", Match(Intent.STOP, "ARRET", "fr")),  # a wrong accent still stops
        ("desinscrire", Match(Intent.STOP, "DÉSINSCRIRE", "fr")),
        ("¡Alto!", Match(Intent.STOP, "ALTO", "es")),
        ("alta", Match(Intent.START, "ALTA", "es")),
        ("Sí", Match(Intent.START, "SÍ", "es")),
        ("sì", Match(Intent.START, "SÌ", "it")),
        ("si", Match(Intent.START, "SI", None)),  # Spanish and Italian
        ("cancelar", Match(Intent.STOP, "CANCELAR", None)),  # Spanish and Portuguese
        ("Отписаться.", Match(Intent.STOP, "ОТПИСАТЬСЯ", "ru")),
        ("หยุด 🙏", Match(Intent.STOP, "หยุด", "th")),
        ("\u200bstop\u200e", Match(Intent.STOP, "STOP", None)),  # pasted invisible characters
        ("stop :)", Match(Intent.STOP, "STOP", None)),
        # A repeated keyword is unmistakable (see the module docstring).
        ("STOP STOP", Match(Intent.STOP, "STOP", None)),
        ("stop, stop!!", Match(Intent.STOP, "STOP", None)),
        ("停止 停止", Match(Intent.STOP, "停止", "ja")),
    ],
)
def test_forms_people_type(matcher: KeywordMatcher, text: str, expected: Match) -> None:
    assert matcher.match(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "please stop sending me these",
        "stopping by later",
        "I want to stop",
        "stop it",
        "unstoppable",
        "STOP START",  # two keywords of different intents: not one intent
        "S T O P",
        "stop2",
        "NO",
        "no",
        "non",
        "nein",
        "нет",
        "いいえ",
        "ไม่",
        "ok",
        "fin",
        "🛑 STOP",  # only trailing emoji are dropped
        "",
        " ",
        "\n\t ",
        "!!!",
        "🙏",
        "👨‍👩‍👧‍👦👍🏽",
        "ストッフ",  # a Japanese mark is part of the letter, not an accent
        "หยด",  # so is a Thai vowel
        "STOP" + " " * MAX_MESSAGE_LENGTH,  # over the length limit, however blank
    ],
)
def test_not_keywords(matcher: KeywordMatcher, text: str) -> None:
    assert matcher.match(text) is None


def test_a_message_up_to_the_limit_is_read() -> None:
    text = "STOP".ljust(MAX_MESSAGE_LENGTH)
    assert KeywordMatcher().match(text) == Match(Intent.STOP, "STOP", None)


def test_ten_megabytes_return_none_fast(matcher: KeywordMatcher) -> None:
    huge = "STOP " * (2 * 1024 * 1024)
    started = time.perf_counter()
    assert matcher.match(huge) is None
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  ＳＴＯＰ！ 🙏 ", "stop"),
        ("stop👋🏽", "stop"),
        ("停止！", "停止"),
        ("Dar   de\tBAJA", "dar de baja"),
        ("ARRÊT", "arrêt"),
        ("opt-out", "opt-out"),
        ("🙏", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_member_keywords_are_added_to_the_defaults() -> None:
    matcher = KeywordMatcher(extra={Intent.STOP: [" Bye bye ", "🙅 nope"], "help": ["Quién"]})
    assert matcher.match("BYE BYE!") == Match(Intent.STOP, "Bye bye", None)
    assert matcher.match("🙅 nope") == Match(Intent.STOP, "🙅 nope", None)
    assert matcher.match("quien") == Match(Intent.HELP, "Quién", None)
    assert matcher.match("STOP") == Match(Intent.STOP, "STOP", None), "defaults stay"
    assert KeywordMatcher().match("bye bye") is None, "one member's words are not another's"


def test_a_member_keyword_that_is_already_a_default_of_its_intent_changes_nothing() -> None:
    matcher = KeywordMatcher(extra={Intent.STOP: ["stop", "Arret", "stop stop"]})
    assert matcher.match("stop") == Match(Intent.STOP, "STOP", None)
    assert matcher.match("arret") == Match(Intent.STOP, "ARRET", "fr")


@pytest.mark.parametrize(
    ("intent", "keyword"),
    [
        (Intent.START, "STOP"),  # a member cannot turn STOP into START
        (Intent.START, "ｓｔｏｐ！"),
        (Intent.START, "stop stop"),
        (Intent.START, "ARRÈT"),
        (Intent.HELP, "STOPALL"),
        (Intent.STOP, "YES"),
        (Intent.STOP_ALL, "stop"),
        (Intent.STOP, "配信再開"),
    ],
)
def test_a_member_keyword_that_is_a_default_of_another_intent_is_refused(
    intent: Intent, keyword: str
) -> None:
    with pytest.raises(ValueError, match="already a keyword") as refused:
        KeywordMatcher(extra={intent: [keyword]})
    assert isinstance(refused.value, KeywordRefused)
    assert refused.value.reason is Refusal.TAKEN
    assert refused.value.clash is not None
    assert refused.value.clash.intent != intent


@pytest.mark.parametrize(
    ("keyword", "reason"),
    [
        ("", Refusal.EMPTY),
        ("   ", Refusal.EMPTY),
        ("!!!", Refusal.EMPTY),
        ("🙏🙏", Refusal.EMPTY),
        ("x" * (MAX_KEYWORD_LENGTH + 1), Refusal.TOO_LONG),
    ],
)
def test_empty_and_long_member_keywords_are_refused(keyword: str, reason: Refusal) -> None:
    with pytest.raises(KeywordRefused) as refused:
        KeywordMatcher(extra={Intent.STOP: [keyword]})
    assert refused.value.reason is reason


def test_a_member_keyword_at_the_length_limit_is_accepted() -> None:
    keyword = "x" * MAX_KEYWORD_LENGTH
    assert KeywordMatcher(extra={Intent.STOP: [keyword]}).match(keyword) is not None


def test_one_member_word_for_two_intents_is_refused() -> None:
    with pytest.raises(KeywordRefused, match=r"\(stop: basta ya\)"):
        KeywordMatcher(extra={Intent.STOP: ["basta ya"], Intent.START: ["Basta ya!"]})


def test_member_keywords_must_be_a_collection() -> None:
    with pytest.raises(TypeError):
        KeywordMatcher(extra={Intent.STOP: "bye"})


# Hypothesis: surrogates and every other category included, since webhooks carry anything.
ANY_TEXT = st.text(st.characters(exclude_categories=()))


@given(ANY_TEXT)
def test_match_never_raises(text: str) -> None:
    found = KeywordMatcher().match(text)
    assert found is None or isinstance(found.intent, Intent)


@given(ANY_TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(
    st.sampled_from(LISTED),
    st.randoms(use_true_random=False),
    st.text(" \t\u3000\u00a0.,!?¡¿\"'()«»「」。、！", max_size=6),
    st.lists(
        st.sampled_from(["🙏", "👋🏽", "❤️", "👨‍👩‍👧‍👦", "🇹🇭", "✨", "!", "。", " ", "👍🏿"]),
        max_size=4,
    ),
)
def test_any_keyword_with_random_case_padding_and_emoji_matches(
    listed: tuple[Intent, str, str], rnd: random.Random, before: str, tail: list[str]
) -> None:
    intent, language, keyword = listed
    cased = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in keyword)
    text = before + cased + "".join(tail)
    assert KeywordMatcher().match(text) == _expected(intent, language, keyword)
