"""Campaign placeholders: syntax, fallbacks, folding, limits, injection attempts, properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.services.campaigns.placeholders import (
    BUILT_IN_NAMES,
    ERROR_CODES,
    MAX_FALLBACK,
    MAX_NAME,
    MAX_PLACEHOLDERS,
    MAX_TEXT,
    MessageTemplate,
    PlaceholderError,
    contact_values,
)
from bot.services.imports.mapping import attribute_key

ANNA = contact_values("Anna", "Lee", "+66812345678", {"city": "Chiang Mai", "vip": "yes"})
NOBODY = contact_values(None, None, None, None)


def render(text: str, values: dict[str, str] | None = None) -> str:
    return MessageTemplate.parse(text).render(ANNA if values is None else values)


def error(text: str) -> PlaceholderError:
    with pytest.raises(PlaceholderError) as caught:
        MessageTemplate.parse(text)
    assert caught.value.code in ERROR_CODES
    return caught.value


# Syntax


def test_built_in_names_and_attributes() -> None:
    text = "{first_name} {last_name} ({full_name}, {phone}) from {city}, vip: {vip}"
    assert render(text) == "Anna Lee (Anna Lee, +66812345678) from Chiang Mai, vip: yes"
    assert MessageTemplate.parse(text).names == BUILT_IN_NAMES | {"city", "vip"}


def test_plain_text_is_not_personal_and_renders_as_is() -> None:
    template = MessageTemplate.parse("Sale today: 20% off!")
    assert not template.is_personal
    assert template.names == frozenset()
    assert template.render(ANNA) == template.render({}) == "Sale today: 20% off!"


def test_empty_text() -> None:
    assert MessageTemplate.parse("").render(ANNA) == ""


def test_a_placeholder_makes_the_text_personal() -> None:
    assert MessageTemplate.parse("Hi {first_name|there}").is_personal


def test_placeholders_side_by_side_and_at_the_edges() -> None:
    assert render("{first_name}{last_name}") == "AnnaLee"
    assert render("{city}") == "Chiang Mai"


def test_literal_braces() -> None:
    assert render("{{first_name}} is {first_name}") == "{first_name} is Anna"
    assert render("{{}}") == "{}"
    assert render("}}{{") == "}{"
    assert render("{{{first_name}}}") == "{Anna}"
    assert not MessageTemplate.parse("{{city}}").is_personal


def test_whitespace_around_a_name_is_ignored() -> None:
    assert render("Hi { first_name }!") == "Hi Anna!"


# Fallbacks and missing values


def test_fallback_for_a_missing_value() -> None:
    assert render("Hi {first_name|there}!", NOBODY) == "Hi there!"
    assert render("Hi {first_name|there}!") == "Hi Anna!"


def test_fallback_is_literal_text_kept_as_written() -> None:
    text = "Hello {first_name| dear friend, amigo, друг, เพื่อน}."
    assert render(text, NOBODY) == "Hello  dear friend, amigo, друг, เพื่อน."
    assert render("{city|a.b:c!r[0]}", {}) == "a.b:c!r[0]"


def test_no_fallback_gives_nothing() -> None:
    assert render("Hi {first_name}!", NOBODY) == "Hi !"
    assert render("Hi {first_name|}!", NOBODY) == "Hi !"


def test_missing_attribute_gives_the_fallback() -> None:
    assert render("From {birthday|somewhere}", ANNA) == "From somewhere"
    assert render("From {birthday}", ANNA) == "From "


def test_empty_value_gives_the_fallback() -> None:
    assert render("{city|home}", {"city": ""}) == "home"


def test_blank_contact_fields_count_as_missing() -> None:
    values = contact_values("  ", None, "", {"city": "   ", "zip": None})
    assert values == {}
    assert render("{first_name|you} in {city|town}", values) == "you in town"


# Folding names


def test_names_are_case_insensitive() -> None:
    assert render("{First_Name} {LAST_NAME} {City}") == "Anna Lee Chiang Mai"
    assert MessageTemplate.parse("{First_Name}{FIRST_NAME}").names == {"first_name"}


def test_names_fold_like_attribute_keys() -> None:
    values = contact_values(None, None, None, {attribute_key("Cumpleaños"): "1 May"})
    assert render("{Cumpleaños}", values) == "1 May"
    assert render("{cumpleanos}", values) == "1 May"


@pytest.mark.parametrize("header", ["Город", "会社名", "ชื่อเล่น", "नाम", "Straße", "note 2"])
def test_keys_in_any_script_are_addressable(header: str) -> None:
    key = attribute_key(header)
    values = contact_values(None, None, None, {key: "value"})
    assert MessageTemplate.parse("{" + key + "}").names == {key}
    assert render("{" + header.replace(" ", "_") + "}", values) == "value"


# Contacts' values


def test_full_name_is_single_spaced() -> None:
    assert contact_values(" Anna ", " Lee ", None, None)["full_name"] == "Anna Lee"
    assert contact_values("Mary  Ann", None, None, None)["full_name"] == "Mary Ann"
    assert contact_values(None, "Lee", None, None)["full_name"] == "Lee"


def test_built_in_names_win_over_attributes() -> None:
    values = contact_values("Anna", None, None, {"first_name": "Other", "last_name": "X"})
    assert values["first_name"] == "Anna"
    assert "last_name" not in values


def test_attribute_values_that_are_not_text() -> None:
    values = contact_values(None, None, None, {"age": 42, "ok": True})
    assert values == {"age": "42", "ok": "True"}


# Values are inserted verbatim


def test_values_containing_braces_are_not_expanded() -> None:
    values = {"first_name": "{last_name}", "city": "{{x}} {0.__class__} }{"}
    assert render("{first_name} {city}", values) == "{last_name} {{x}} {0.__class__} }{"


# Malformed texts and injection attempts


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("{0.__class__}", "attribute", 2),
        ("{a.b}", "attribute", 2),
        ("{a[0]}", "attribute", 2),
        ("{first_name.__globals__|x}", "attribute", 11),
        ("{a!r}", "conversion", 2),
        ("{a!s|x}", "conversion", 2),
        ("{a:>10}", "format_spec", 2),
        ("x {a:{b}}", "nested", 5),
        ("{{a}", "unopened", 3),
        ("Hi }", "unopened", 3),
        ("Hi {first_name", "unclosed", 3),
        ("{a} {", "unclosed", 4),
        ("{first_name {last_name}", "nested", 12),
        ("{}", "empty", 0),
        ("a { } b", "empty", 2),
        ("{|there}", "empty", 0),
        ("{0}", "bad_name", 0),
        ("{1st}", "bad_name", 0),
        ("{first name}", "bad_name", 0),
        ("{a-b}", "bad_name", 0),
        ("{_}", "bad_name", 0),
        ("{$}", "bad_name", 0),
        ("{a|b|c}", "bad_fallback", 4),
    ],
)
def test_malformed(text: str, code: str, position: int) -> None:
    problem = error(text)
    assert (problem.code, problem.position) == (code, position)


def test_unknown_dunder_name_is_just_a_missing_attribute() -> None:
    template = MessageTemplate.parse("{__import__|safe} {__class__}")
    assert template.render(ANNA) == "safe "


def test_error_message_names_the_code_not_the_text() -> None:
    problem = error("secret text {a!r}")
    assert str(problem) == "conversion at position 14"
    assert isinstance(problem, ValueError)


def test_repr_names_the_placeholders_not_the_text() -> None:
    assert repr(MessageTemplate.parse("secret {city}")) == "MessageTemplate(names=['city'])"


# Limits


def test_text_length_limit() -> None:
    assert MessageTemplate.parse("x" * MAX_TEXT).render({}) == "x" * MAX_TEXT
    assert (error("x" * (MAX_TEXT + 1)).code, error("x" * (MAX_TEXT + 1)).position) == (
        "too_long",
        MAX_TEXT,
    )


def test_placeholder_count_limit() -> None:
    assert len(MessageTemplate.parse("{a}" * MAX_PLACEHOLDERS).names) == 1
    problem = error("{a}" * (MAX_PLACEHOLDERS + 1))
    assert (problem.code, problem.position) == ("too_many", 3 * MAX_PLACEHOLDERS)


def test_name_length_limit() -> None:
    assert MessageTemplate.parse("{" + "a" * MAX_NAME + "}").names == {"a" * MAX_NAME}
    assert error("{" + "a" * (MAX_NAME + 1) + "}").code == "name_too_long"


def test_fallback_length_limit() -> None:
    assert render("{x|" + "f" * MAX_FALLBACK + "}", {}) == "f" * MAX_FALLBACK
    assert error("{x|" + "f" * (MAX_FALLBACK + 1) + "}").code == "fallback_too_long"


# Properties

# Characters that matter to the parser, mixed with any others.
_TRICKY = st.sampled_from("{}|.:![]_ aZé0ก\u0e37\n")
_TEXT = st.text(alphabet=_TRICKY | st.characters(), max_size=200)
_NAMES = st.sampled_from(["first_name", "last_name", "full_name", "phone", "city", "會社", "a"])
_VALUES = st.dictionaries(_NAMES, st.text(max_size=20))
_PROPERTIES = settings(max_examples=500)


def _escape(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


@_PROPERTIES
@given(text=_TEXT, values=_VALUES)
def test_parse_raises_only_placeholder_errors_and_render_never_raises(
    text: str, values: dict[str, str]
) -> None:
    outcome = _parse_or_error(text)
    if isinstance(outcome, PlaceholderError):
        assert outcome.code in ERROR_CODES
        assert 0 <= outcome.position <= len(text)
    else:
        assert isinstance(outcome.render(values), str)
        assert outcome.is_personal == bool(outcome.names)


def _parse_or_error(text: str) -> MessageTemplate | PlaceholderError:
    """The template, or the PlaceholderError; any other exception fails the test."""
    try:
        return MessageTemplate.parse(text)
    except PlaceholderError as problem:
        return problem


@_PROPERTIES
@given(literal=st.text(max_size=200))
def test_escaped_text_renders_as_itself(literal: str) -> None:
    template = MessageTemplate.parse(_escape(literal))
    assert not template.is_personal
    assert template.render({"a": "x"}) == literal


_FALLBACKS = st.text(max_size=20).filter(lambda f: not set(f) & set("{}|"))
_PIECES = st.lists(
    st.one_of(st.text(max_size=15), st.tuples(_NAMES, _FALLBACKS)),
    max_size=MAX_PLACEHOLDERS,
)


@_PROPERTIES
@given(pieces=_PIECES, values=_VALUES)
def test_render_puts_each_value_or_fallback_in_place(
    pieces: list[str | tuple[str, str]], values: dict[str, str]
) -> None:
    text, expected = "", ""
    for piece in pieces:
        if isinstance(piece, str):
            text, expected = text + _escape(piece), expected + piece
        else:
            name, fallback = piece
            text += "{" + name + "|" + fallback + "}"
            expected += values.get(name) or fallback
    assert MessageTemplate.parse(text).render(values) == expected


@_PROPERTIES
@given(header=st.text(min_size=1, max_size=80))
def test_every_attribute_key_is_a_placeholder_name(header: str) -> None:
    key = attribute_key(header)
    # A key of a header starting with a digit may be "attr_" + 64 characters, past MAX_NAME.
    assume(len(key) <= MAX_NAME)
    assert MessageTemplate.parse("{" + key + "|-}").names == {key}
