"""Injected failures: rate limits, blocked users, server errors and timeouts.

A rule names a platform, a kind and optionally an fnmatch pattern (case-insensitive)
matched against the call's name: the Telegram method ("sendMessage", "send*"; file
downloads are "file"), or for LINE and WhatsApp either "VERB /path" or just the path
("*/message/push"). A rule fires for the next `times` matching calls, or on each matching
call with `probability` (drawn from a seeded RNG, so a run is reproducible), or, with
neither, on every matching call until cleared.

Each stand-in renders a fired rule the way its platform would. `blocked` is a 403 on
Telegram; LINE and WhatsApp never say so when sending, so there the send is answered
normally and the message is not delivered (LINE's profile endpoint answers 404).

A rule without a pattern never matches Telegram's getUpdates: a bot's background long
poll would otherwise swallow faults meant for its sends at random. Name it to fault it.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from .records import PLATFORMS, Platform

FaultKind = Literal["rate_limit", "blocked", "server_error", "timeout"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

# The long poll is exempt from catch-all rules (see the module docstring).
_UNMATCHED_BY_DEFAULT = frozenset({"getupdates"})


@dataclass
class Fault:
    """One injection rule; see the module docstring for how it matches and fires.

    `retry_after` is the rate-limit pause in seconds; `status` the 5xx code of a
    server_error; `hold` how long a timeout keeps the request before dropping the
    connection (set the client's timeout below it); `processed` makes a timeout do the
    work before losing the answer, as when a platform accepted a send but the response
    never arrived; `code` overrides WhatsApp's error code (130429 or 80007 for limits).
    """

    id: int
    platform: Platform
    kind: FaultKind
    match: str | None = None
    times: int | None = None
    probability: float | None = None
    retry_after: int = 1
    status: int = 500
    hold: float = 10.0
    processed: bool = False
    code: int | None = None
    fired: int = 0

    def matches(self, platform: str, name: str) -> bool:
        """Whether this rule applies to a call named `name` on `platform`."""
        if platform != self.platform:
            return False
        if self.match is None:
            return name.lower() not in _UNMATCHED_BY_DEFAULT
        pattern = self.match.lower()
        candidates = {name.lower(), name.partition(" ")[2].lower()} - {""}
        return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)

    def to_json(self) -> dict[str, Any]:
        """The rule as the console shows it."""
        return asdict(self)


class Faults:
    """The active fault rules of one sandbox."""

    def __init__(self, *, seed: int = 0) -> None:
        # Not for security: a seeded generator makes probabilistic faults reproducible.
        self._rng = random.Random(seed)  # noqa: S311
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)

    @property
    def rules(self) -> list[Fault]:
        """The active rules, oldest first (the first matching rule wins)."""
        return list(self._rules)

    def add(
        self,
        platform: Platform,
        kind: FaultKind,
        *,
        match: str | None = None,
        times: int | None = None,
        probability: float | None = None,
        retry_after: int = 1,
        status: int = 500,
        hold: float = 10.0,
        processed: bool = False,
        code: int | None = None,
    ) -> Fault:
        """Add a rule; ValueError if it makes no sense."""
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {PLATFORMS}, not {platform!r}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}, not {kind!r}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        if probability is not None and not 0 <= probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if not 500 <= status <= 599:
            raise ValueError("status must be a 5xx code")
        if not 0 < hold <= 120:
            raise ValueError("hold must be between 0 and 120 seconds")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        rule = Fault(
            id=next(self._ids),
            platform=platform,
            kind=kind,
            match=match or None,
            times=times,
            probability=probability,
            retry_after=retry_after,
            status=status,
            hold=hold,
            processed=processed,
            code=code,
        )
        self._rules.append(rule)
        return rule

    def rate_limit(self, platform: Platform, **options: Any) -> Fault:
        """Answer matching calls with the platform's 429."""
        return self.add(platform, "rate_limit", **options)

    def blocked(self, platform: Platform, **options: Any) -> Fault:
        """Answer matching calls as if the recipient had blocked the bot."""
        return self.add(platform, "blocked", **options)

    def server_error(self, platform: Platform, **options: Any) -> Fault:
        """Answer matching calls with a 5xx."""
        return self.add(platform, "server_error", **options)

    def timeout(self, platform: Platform, **options: Any) -> Fault:
        """Hold matching calls past the client's timeout, then drop the connection."""
        return self.add(platform, "timeout", **options)

    def remove(self, fault_id: int) -> bool:
        """Drop one rule; False if there was none with that id."""
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != fault_id]
        return len(self._rules) != before

    def clear(self, platform: Platform | None = None) -> None:
        """Drop every rule, or every rule of one platform."""
        self._rules = [rule for rule in self._rules if platform not in (None, rule.platform)]

    def pick(self, platform: Platform, name: str) -> Fault | None:
        """The rule that fires for this call, if any (and count it as fired)."""
        for rule in self._rules:
            if not rule.matches(platform, name):
                continue
            if rule.probability is not None and self._rng.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    self._rules.remove(rule)
            return rule
        return None
