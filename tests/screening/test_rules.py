"""The screening rules as data: built-in defaults once, the operator's additions and switches."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import db
from bot.config import Settings
from bot.services.screening import RuleError, ScreeningService
from bot.services.screening.defaults import default_rules
from models import RuleKind, ScreeningRule
from tests.support.clock import MovableClock


@pytest.fixture
async def screening(database_url: str) -> AsyncIterator[ScreeningService]:
    settings = Settings(_env_file=None, DATABASE_URL=database_url)  # type: ignore[call-arg]
    await db.apply_migrations(settings)
    await db.connect(settings)
    try:
        yield ScreeningService(clock=MovableClock())
    finally:
        await db.close()


async def test_the_defaults_are_written_once_and_a_rule_turned_off_stays_off(
    screening: ScreeningService,
) -> None:
    assert [finding.value for finding in await screening.screen("see bit.ly/x")] == ["bit.ly"]
    assert await ScreeningRule.all().count() == len(default_rules())
    assert all(rule.created_by is None for rule in await ScreeningRule.all())
    rule = await ScreeningRule.get(value="bit.ly")
    await screening.switch(rule.id, active=False)
    assert await screening.screen("see bit.ly/x") == []
    counts = {count.kind: (count.active, count.total) for count in await screening.counts()}
    shorteners = await ScreeningRule.filter(kind=RuleKind.SHORTENER).count()
    assert counts[RuleKind.SHORTENER] == (shorteners - 1, shorteners)
    assert await ScreeningRule.all().count() == len(default_rules()), "not written again"
    await screening.switch(rule.id, active=True)
    assert len(await screening.screen("see bit.ly/x")) == 1


async def test_every_default_off_is_respected(screening: ScreeningService) -> None:
    await screening.rules()
    await ScreeningRule.all().update(active=False)
    assert await screening.screen("YOU HAVE WON!!! bit.ly/x paypa1.com password") == []


async def test_the_operator_adds_rules_by_text(screening: ScreeningService) -> None:
    phrase = await screening.add(RuleKind.PHRASE, "es: Oferta Única", by="telegram:1")
    assert (phrase.value, phrase.locale, phrase.created_by) == ("Oferta Única", "es", "telegram:1")
    [finding] = await screening.screen("¡OFERTA UNICA para ti!")
    assert finding.rule_id == phrase.id
    host = await screening.add(RuleKind.SHORTENER, "https://Short.example/", by="line:U1")
    assert host.value == "short.example"
    share = await screening.add(RuleKind.CAPITALS, "45%", by="line:U1")
    assert share.value == "0.45"
    with pytest.raises(RuleError) as refused:
        await screening.add(RuleKind.PHRASE, "oferta unica", by="telegram:1")
    assert refused.value.code == "exists"
    for kind, typed, code in [
        (RuleKind.SHORTENER, "not a host", "host"),
        (RuleKind.SYMBOLS, "1.5", "share"),
        (RuleKind.SYMBOLS, "lots", "share"),
        (RuleKind.PHRASE, "   ", "empty"),
        (RuleKind.PHRASE, "x" * 300, "too_long"),
    ]:
        with pytest.raises(RuleError) as refused:
            await screening.add(kind, typed, by="telegram:1")
        assert refused.value.code == code, typed
