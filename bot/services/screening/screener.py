"""Screening one text against a set of rules: a pure function, so it is tested without a
database. What it finds is a list of findings, each naming its rule and what matched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.services.screening import domains
from bot.services.screening.text import (
    hosts,
    normalise,
    phrase_pattern,
    share_of_capitals,
    share_of_symbols,
    without_links,
    without_placeholders,
)
from models import RuleKind, ScreeningRule

# Shares are judged only over texts this long, so "OK!" or "NEW" is not shouting.
MIN_LETTERS = 20
# A text with more than this many findings shows the first ones: the rest adds nothing.
MAX_FINDINGS = 10
_PHRASES = (RuleKind.PHRASE, RuleKind.CREDENTIALS)
_SHARES = (RuleKind.CAPITALS, RuleKind.SYMBOLS)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule a text matched: the rule (None once deleted), its kind and value, and what in
    the text matched it (for shares, the share found, like "0.85")."""

    rule_id: int | None
    kind: RuleKind
    value: str
    match: str

    def to_json(self) -> dict[str, object]:
        """As kept on the campaign (Campaign.findings)."""
        return {
            "rule_id": self.rule_id,
            "kind": self.kind.value,
            "value": self.value,
            "match": self.match,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Finding | None:
        """A finding kept on a campaign; None for what is not one (a hold's measurements)."""
        try:
            kind = RuleKind(str(data["kind"]))
        except (KeyError, ValueError):
            return None
        rule_id = data.get("rule_id")
        return cls(
            rule_id if isinstance(rule_id, int) else None,
            kind,
            str(data.get("value", "")),
            str(data.get("match", "")),
        )


def screen(text: str, rules: Iterable[ScreeningRule]) -> list[Finding]:
    """What in `text` the active `rules` flag, in rule order, each (kind, match) once."""
    words = without_placeholders(text)
    plain = normalise(words)
    found_hosts = hosts(words)
    prose = without_links(words)
    findings: dict[tuple[RuleKind, str], Finding] = {}
    strictest: dict[RuleKind, ScreeningRule] = {}
    for rule in rules:
        if not rule.active:
            continue
        if rule.kind in _SHARES:
            if _limit(rule) is not None:
                current = strictest.get(rule.kind)
                if current is None or _limit(rule) < _limit(current):  # type: ignore[operator]
                    strictest[rule.kind] = rule
            continue
        for match in _matches(rule, plain, found_hosts):
            findings.setdefault((rule.kind, match), Finding(rule.id, rule.kind, rule.value, match))
    for kind, rule in strictest.items():
        measure = share_of_capitals if kind is RuleKind.CAPITALS else share_of_symbols
        share = measure(prose, at_least=MIN_LETTERS)
        if share is not None and share > (_limit(rule) or 1.0):
            findings[(kind, "")] = Finding(rule.id, kind, rule.value, f"{share:.2f}")
    return list(findings.values())[:MAX_FINDINGS]


def _matches(rule: ScreeningRule, plain: str, found_hosts: list[str]) -> list[str]:
    if rule.kind in _PHRASES:
        phrase = normalise(rule.value)
        match = phrase_pattern(phrase).search(plain) if phrase else None
        return [match.group(0)] if match else []
    value = rule.value.casefold().strip(".")
    if rule.kind is RuleKind.SHORTENER:
        return [host for host in found_hosts if host == value or host.endswith("." + value)]
    if rule.kind is RuleKind.BRAND:
        return [host for host in found_hosts if domains.imitates(host, value)]
    return []


def _limit(rule: ScreeningRule) -> float | None:
    try:
        return float(rule.value)
    except ValueError:
        return None
