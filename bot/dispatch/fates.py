"""What becomes of a claimed delivery: after the platform's answer, after an opt-out found at
the last check, or when its channel no longer reaches the person.

Sent and ambiguous are final. A transient refusal waits (a rate limit for as long as the
platform asked, anything else with exponential backoff and full jitter, up to MAX_ATTEMPTS);
a permanent one falls back to the next channel in the member's order that reaches the person,
and fails only when none is left. The engine (engine.py) records what these return.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from bot.dispatch.channels.base import Outcome, Result
from bot.dispatch.recipients import Recipient
from bot.dispatch.store import EVERYWHERE, Claimed, Update
from models import OPTED_OUT, RETRIES_EXHAUSTED, CampaignStatus, Channel, DeliveryStatus

MAX_ATTEMPTS = 5
MAX_BACKOFF_SECONDS = 300
# Answers after which a delivery is done. Ambiguous: maybe delivered, counted as such in the
# report, never sent a second time.
_FINAL = {Result.SENT: DeliveryStatus.SENT, Result.AMBIGUOUS: DeliveryStatus.AMBIGUOUS}


class Fates:
    """Decides a delivery's next state; `available` are the channels this worker sends on."""

    def __init__(self, *, available: Collection[Channel], rng: random.Random) -> None:
        self._available = available
        self._rng = rng  # the backoff's jitter

    def after(
        self,
        channels: Sequence[Channel],
        row: Claimed,
        recipient: Recipient | None,
        outcome: Outcome,
        now: datetime,
    ) -> Update:
        """After the platform's answer; `channels` are the campaign's, in the member's order."""
        if (final := _FINAL.get(outcome.result)) is not None:
            return Update(
                id=row.id,
                status=final,
                channel=row.channel,
                attempts=row.attempts,
                fell_back_from=row.fell_back_from,
                message_id=outcome.message_id,  # none when ambiguous: no answer came
                sent_at=now,
            )
        if outcome.result is Result.RETRY:
            if outcome.retry_after:
                # A rate limit is the platform's pacing, not this message's fault.
                return pending(
                    row,
                    not_before=now + timedelta(seconds=outcome.retry_after),
                    attempts=row.attempts - 1,
                )
            if row.attempts < MAX_ATTEMPTS:
                return pending(row, not_before=now + self.backoff(row.attempts))
            return failed(row, RETRIES_EXHAUSTED)
        if recipient is None:
            return failed(row, outcome.error_code)
        if outcome.unreachable and row.channel is not None:
            recipient.unreachable = recipient.unreachable | {row.channel.value}
        return self.fall_back(channels, row, recipient, error_code=outcome.error_code)

    def after_opt_out(
        self,
        channels: Sequence[Channel],
        row: Claimed,
        recipient: Recipient,
        scope: frozenset[str],
    ) -> Update | None:
        """A recipient on the suppression list with this scope: skipped after a STOP, on to
        the next channel when they left this one (blocked the bot, unfollowed); None when
        nothing stops the delivery."""
        if EVERYWHERE in scope:
            return skipped(row, OPTED_OUT)
        # Channels they left are as good as unreachable for this send.
        recipient.unreachable = recipient.unreachable | scope
        if row.channel is not None and row.channel.value in scope:
            return self._left_channel(channels, row, recipient)
        return None

    def fall_back(
        self,
        channels: Sequence[Channel],
        row: Claimed,
        recipient: Recipient,
        *,
        error_code: str | None,
    ) -> Update:
        """The next channel in the member's order that reaches this person, else failed."""
        tried = set((row.fell_back_from or "").split(",")) - {""}
        if row.channel is not None:
            tried.add(row.channel.value)
        for channel in channels:
            if channel.value in tried or channel not in self._available:
                continue
            if recipient.address(channel) is not None:
                return Update(
                    id=row.id,
                    status=DeliveryStatus.PENDING,
                    channel=channel,
                    attempts=0,
                    fell_back_from=",".join(sorted(tried)),
                    error_code=error_code,
                )
        return failed(row, error_code)

    def _left_channel(
        self, channels: Sequence[Channel], row: Claimed, recipient: Recipient
    ) -> Update:
        """The person left this delivery's channel meanwhile: the next channel, or skipped
        as opted out when none is left."""
        update = self.fall_back(channels, row, recipient, error_code=OPTED_OUT)
        if update.status is DeliveryStatus.FAILED:
            return skipped(row, OPTED_OUT)
        return update

    def backoff(self, attempts: int) -> timedelta:
        """Exponential with full jitter: 1, 2, 4... seconds at most, capped."""
        ceiling = min(MAX_BACKOFF_SECONDS, 2 ** max(0, attempts - 1))
        return timedelta(seconds=self._rng.uniform(0.5, 1.0) * ceiling)


def pending(row: Claimed, *, not_before: datetime | None, attempts: int | None = None) -> Update:
    """Back to pending, due at `not_before`; `attempts` as given (the claim's count if None)."""
    return Update(
        id=row.id,
        status=DeliveryStatus.PENDING,
        channel=row.channel,
        attempts=row.attempts if attempts is None else max(0, attempts),
        fell_back_from=row.fell_back_from,
        not_before=not_before,
    )


def unsent(row: Claimed, status: CampaignStatus | None) -> Update:
    """A claimed delivery not sent because the campaign stopped meanwhile: back to pending
    for a resume or the operator's approval (not an attempt), or cancelled with its campaign."""
    if status in (CampaignStatus.PAUSED, CampaignStatus.REVIEW):
        return pending(row, not_before=None, attempts=row.attempts - 1)
    return Update(
        id=row.id,
        status=DeliveryStatus.CANCELLED,
        channel=row.channel,
        attempts=max(0, row.attempts - 1),
        fell_back_from=row.fell_back_from,
    )


def failed(row: Claimed, error_code: str | None) -> Update:
    """Failed for good, with the reason."""
    return Update(
        id=row.id,
        status=DeliveryStatus.FAILED,
        channel=row.channel,
        attempts=row.attempts,
        fell_back_from=row.fell_back_from,
        error_code=error_code,
    )


def skipped(row: Claimed, reason: str) -> Update:
    """Never sent, for `reason` (opted out, no channel); not an attempt."""
    return Update(
        id=row.id,
        status=DeliveryStatus.SKIPPED,
        channel=row.channel,
        attempts=max(0, row.attempts - 1),
        fell_back_from=row.fell_back_from,
        error_code=reason,
    )
