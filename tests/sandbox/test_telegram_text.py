"""Telegram's HTML parse mode and entities, as the sandbox reproduces them."""

from __future__ import annotations

import pytest

from bot.sandbox.telegram_text import (
    EntityParseError,
    command_entities,
    format_text,
    parse_html,
    utf16_len,
)


def test_offsets_count_utf16_units() -> None:
    assert utf16_len("a😀b") == 4
    text, [entity] = parse_html("😀 <i>ok</i>")
    assert text == "😀 ok"
    assert (entity["type"], entity["offset"], entity["length"]) == ("italic", 3, 2)


def test_nested_links_and_preformatted_code() -> None:
    text, entities = parse_html(
        '<b>Hi <a href="https://example.com">there</a></b>\n'
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "Hi there\nx = 1"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "text_link", "url": "https://example.com", "offset": 3, "length": 5},
        {"type": "pre", "language": "python", "offset": 9, "length": 5},
    ]


def test_only_telegrams_entities_are_unescaped() -> None:
    assert parse_html("&lt;b&gt; &amp; &quot; &#169; &nbsp;")[0] == '<b> & " © &nbsp;'


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("a <blink>x</blink>", 'Unsupported start tag "blink" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", "Unclosed start tag at byte offset 2"),
    ],
)
def test_malformed_html_is_refused_with_telegrams_wording(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(source)
    assert str(refused.value) == error


def test_surrounding_whitespace_is_trimmed_with_its_entities() -> None:
    text, [entity] = format_text("  <b>Sale</b>  ", "HTML", None)
    assert text == "Sale"
    assert (entity["offset"], entity["length"]) == (0, 4)
    assert format_text("*kept*", "MarkdownV2", None) == ("*kept*", [])


def test_commands_become_bot_command_entities() -> None:
    assert command_entities("/start@broadside_bot ref and /help, not a/b") == [
        {"type": "bot_command", "offset": 0, "length": 20},
        {"type": "bot_command", "offset": 29, "length": 5},
    ]
