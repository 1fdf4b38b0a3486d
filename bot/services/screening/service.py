"""Screening rules as the operator's data, and the screening of a campaign's text.

The built-in rules (defaults.py) are written when the table has no rows at all, so an
operator who turns them off is respected. Two processes writing them at the same first
moment would write them twice: harmless, as findings are counted once per (kind, match).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.i18n import SUPPORTED_LOCALES
from bot.services.clock import Clock
from bot.services.screening.defaults import default_rules
from bot.services.screening.screener import Finding, screen
from bot.services.screening.text import normalise
from models import RuleKind, ScreeningRule

MAX_VALUE = 256  # the column's size
_HOST = re.compile(r"(?:[\w-]+\.)+[\w-]{2,}")
_SHARE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%?)")


class RuleError(ValueError):
    """A rule the operator typed cannot be added; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class KindCount:
    """How many rules of a kind there are, and how many are on."""

    kind: RuleKind
    active: int
    total: int


class ScreeningService:
    """Screens texts; lists, adds and switches the rules."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    async def screen(self, text: str) -> list[Finding]:
        """What the active rules flag in `text` (nothing: it may go out)."""
        return screen(text, await self.rules(active=True))

    async def rules(self, *, active: bool | None = None) -> list[ScreeningRule]:
        """Every rule (or the active, or the inactive ones), oldest first."""
        await self._ensure_defaults()
        query = ScreeningRule.all() if active is None else ScreeningRule.filter(active=active)
        return await query.order_by("id")

    async def counts(self) -> list[KindCount]:
        """Per kind, in the kinds' order, the rules on and in all."""
        total: Counter[RuleKind] = Counter()
        active: Counter[RuleKind] = Counter()
        for rule in await self.rules():
            total[rule.kind] += 1
            active[rule.kind] += rule.active
        return [KindCount(kind, active[kind], total[kind]) for kind in RuleKind]

    async def of_kind(self, kind: RuleKind, *, offset: int, limit: int) -> list[ScreeningRule]:
        """One page of a kind's rules, oldest first."""
        await self._ensure_defaults()
        return await ScreeningRule.filter(kind=kind).order_by("id").offset(offset).limit(limit)

    async def add(self, kind: RuleKind, typed: str, *, by: str) -> ScreeningRule:
        """Add a rule from what the operator typed: the value, and for phrases an optional
        locale in front ("es: has ganado"). Raises RuleError (codes: empty, too_long, host,
        share, exists)."""
        value, locale = parse_value(kind, typed)
        for rule in await ScreeningRule.filter(kind=kind):
            if _same(kind, rule.value, value):  # in any locale: it matches the same
                raise RuleError("exists")
        return await ScreeningRule.create(
            kind=kind, value=value, locale=locale, created_at=self._clock(), created_by=by
        )

    async def switch(self, rule_id: int, *, active: bool) -> ScreeningRule | None:
        """Turn a rule on or off; None when there is no such rule."""
        rule = await ScreeningRule.get_or_none(id=rule_id)
        if rule is not None and rule.active != active:
            rule.active = active
            await rule.save(update_fields=["active"])
        return rule

    async def _ensure_defaults(self) -> None:
        if await ScreeningRule.exists():
            return
        now = self._clock()
        await ScreeningRule.bulk_create(
            [
                ScreeningRule(kind=kind, value=value, locale=locale, created_at=now)
                for kind, value, locale in default_rules()
            ]
        )


def parse_value(kind: RuleKind, typed: str) -> tuple[str, str | None]:
    """The rule's value and locale from the operator's text; RuleError when unusable."""
    text = typed.strip()
    locale = None
    head, colon, rest = text.partition(":")
    if colon and head.strip().lower() in SUPPORTED_LOCALES and kind in _PHRASE_KINDS:
        locale, text = head.strip().lower(), rest.strip()
    if not text:
        raise RuleError("empty")
    if len(text) > MAX_VALUE:
        raise RuleError("too_long")
    if kind in _PHRASE_KINDS:
        if not normalise(text):
            raise RuleError("empty")
        return text, locale
    if kind in (RuleKind.SHORTENER, RuleKind.BRAND):
        host = text.casefold().removeprefix("https://").removeprefix("http://").strip("/. ")
        if not _HOST.fullmatch(host):
            raise RuleError("host")
        return host, None
    match = _SHARE.fullmatch(text)
    if match is None:
        raise RuleError("share")
    share = float(match.group(1).replace(",", "."))
    if match.group(2):
        share /= 100
    if not 0 < share <= 1:
        raise RuleError("share")
    return f"{share:g}", None


_PHRASE_KINDS = (RuleKind.PHRASE, RuleKind.CREDENTIALS)


def _same(kind: RuleKind, first: str, second: str) -> bool:
    if kind in _PHRASE_KINDS:
        return normalise(first) == normalise(second)
    return first.casefold() == second.casefold()
