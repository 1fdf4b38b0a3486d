"""Whatever a signed webhook body holds, each adapter's parser gives events or raises
MalformedWebhook (answered 400), and turning its events into neutral ones never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from linebot.v3 import WebhookParser

from bot.platforms import MalformedWebhook, whatsapp
from bot.platforms.line import event_to_incoming, parse_events, unfollowed_by
from bot.platforms.telegram import message_to_event
from bot.platforms.telegram_webhook import parse_update
from tests.platforms import examples
from tests.platforms.json_mutations import bodies

_PROPERTIES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _line_parser() -> WebhookParser:
    # As the app builds it: the route checks the signature over the raw bytes first.
    return WebhookParser("secret", skip_signature_verification=lambda: True)


@pytest.mark.parametrize(
    ("parse", "seeds"),
    [
        (lambda body: parse_update(body, bot=None), examples.TELEGRAM),
        (lambda body: parse_events(_line_parser(), body), examples.LINE),
        (whatsapp.parse_body, examples.WHATSAPP),
    ],
    ids=["telegram", "line", "whatsapp"],
)
def test_the_seeds_parse(parse: object, seeds: list[dict[str, object]]) -> None:
    # Mutations start from bodies that parse, or they would test one refusal only.
    for seed in seeds:
        assert parse(json.dumps(seed).encode())  # type: ignore[operator]


@_PROPERTIES
@given(body=bodies(examples.TELEGRAM))
def test_telegram_bodies_are_an_update_or_malformed(body: bytes) -> None:
    try:
        update = parse_update(body, bot=None)
    except MalformedWebhook:
        return
    if update.message is not None:
        event = message_to_event(update.message, bot_id=1)
        assert event is None or event.user_id == str(update.message.from_user.id)  # type: ignore[union-attr]


@_PROPERTIES
@given(body=bodies(examples.LINE))
def test_line_bodies_are_events_or_malformed(body: bytes) -> None:
    try:
        events = parse_events(_line_parser(), body)
    except MalformedWebhook:
        return
    for event in events:
        unfollowed_by(event)
        incoming = event_to_incoming(event, language_code="es")
        assert incoming is None or incoming.user_id


@_PROPERTIES
@given(body=bodies(examples.WHATSAPP))
def test_whatsapp_bodies_are_changes_or_malformed(body: bytes) -> None:
    try:
        values = whatsapp.parse_body(body)
    except MalformedWebhook:
        return
    for value in values:
        assert whatsapp.count(value, "messages") >= 0
        for update in whatsapp.statuses(value):
            assert update.status in whatsapp.STATUSES
        for reply in whatsapp.text_messages(value):
            assert reply.phone[1:].isascii()
            assert reply.phone[1:].isdigit()
        for choice in whatsapp.marketing_preferences(value):
            assert choice.phone.startswith("+")


@pytest.mark.parametrize(
    "value",
    [
        {"messages": [{"type": "text", "from": "1", "text": "STOP"}]},
        {"messages": 5, "statuses": "x"},
        {"statuses": [{"id": "w", "status": "failed", "errors": 5}]},
        {"statuses": [{"id": "w", "status": "failed", "errors": {"code": 1}}]},
        {"user_preferences": [{"wa_id": "²", "category": "marketing_messages", "value": "stop"}]},
    ],
)
def test_whatsapp_values_of_the_wrong_type_are_skipped(value: dict[str, object]) -> None:
    # Each of these raised AttributeError, TypeError or KeyError out of the webhook route.
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    ).encode()
    [parsed] = whatsapp.parse_body(body)
    assert list(whatsapp.text_messages(parsed)) == []
    assert [u.error_code for u in whatsapp.statuses(parsed)] in ([], [None])
    assert list(whatsapp.marketing_preferences(parsed)) == []
