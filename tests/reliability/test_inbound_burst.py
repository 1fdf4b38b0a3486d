"""A burst of 50,000 signed webhook events, a tenth of them delivered twice, posted at once to
the real bot while a campaign sends: every one is answered 200, none is lost (each event's
effect is in the database) and none is processed twice (replies logged once, each STOP
confirmed once).

The bot runs as real processes (embedded one `run_bot.py run`; at scale `web` + `worker` on
the suite's PostgreSQL and Redis). The events are what recipients send: WhatsApp replies and
STOPs, Telegram and LINE replies and STOPs from people on the campaign's list, and WhatsApp
status webhooks (delivered, read) for every message the campaign sent, the rest of the 50,000
statuses for messages of earlier campaigns the bot no longer holds (logged, nothing else).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.sandbox.webhooks import (
    SignedPost,
    line_text,
    post_all,
    telegram_text,
    whatsapp_status,
    whatsapp_text,
)
from models import Channel, Delivery, DeliveryStatus, InboundEvent, InboundReply
from tests.reliability.campaigns import Audience, audience, launch, until_finished
from tests.support.bot_processes import (
    BotProcess,
    bot_environment,
    free_port,
    start_bot,
    stop_all,
    until_healthy,
)
from tests.support.harness import Harness

EVENTS = 50_000
TWICE_EVERY = 10  # every tenth event is delivered a second time, as platforms redeliver
TEXTS_PER_PERSON = 4  # the last one STOP for the first STOP_SHARE of each channel's people
STOP_SHARE = 10  # one person in ten
CAMPAIGN_TEXT = "Spring sale"
STOP_CONFIRMATION = "You will not receive any more messages"
RATE = "20"  # messages/s per channel: the campaign sends throughout the burst


class Burst:
    """The events, signed with the sandbox's secrets, and what each should leave behind."""

    def __init__(self, harness: Harness) -> None:
        creds = harness.sandbox.credentials
        self._sandbox = harness.sandbox
        self._wa = (creds.whatsapp_app_secret, creds.whatsapp_phone_number_id)
        self._line = (creds.line_channel_secret, harness.sandbox.line.bot_user_id)
        self._telegram_secret = creds.telegram_webhook_secret
        self._ids = itertools.count(1)
        self.keys: set[str] = set()  # each event's key in the bot's dedup log
        self.replies: Counter[str] = Counter()  # channel -> replies that must be logged
        self.stops: dict[str, list[str | int]] = {"whatsapp": [], "telegram": [], "line": []}

    def texts(self, people: Audience) -> list[SignedPost]:
        """TEXTS_PER_PERSON texts from everyone on the list; one in STOP_SHARE ends in STOP."""
        posts: list[SignedPost] = []
        channels: list[tuple[str, list]] = [
            ("whatsapp", people.whatsapp),
            ("telegram", people.telegram),
            ("line", people.line),
        ]
        for channel, addresses in channels:
            for index, address in enumerate(addresses):
                for turn in range(TEXTS_PER_PERSON):
                    stop = index % STOP_SHARE == 0 and turn == TEXTS_PER_PERSON - 1
                    posts.append(self._text(channel, address, "STOP" if stop else f"Thanks {turn}"))
                    if stop:
                        self.stops[channel].append(address)
                    else:
                        self.replies[channel] += 1
        return posts

    @property
    def distinct(self) -> int:
        """Events made so far, each once."""
        return len(self.keys)

    def _text(self, channel: str, address: str | int, text: str) -> SignedPost:
        number = next(self._ids)
        if channel == "whatsapp":
            self.keys.add(f"whatsapp:msg:wamid.in{number:012d}")
            return whatsapp_text(
                *self._wa, sender=str(address), message_id=f"wamid.in{number:012d}", text=text
            )
        if channel == "telegram":
            self.keys.add(f"telegram:update:{900_000_000 + number}")
            return telegram_text(
                self._telegram_secret,
                update_id=900_000_000 + number,
                user_id=int(address),
                message_id=number,
                text=text,
            )
        self.keys.add(f"line:01BURST{number:019d}")
        return line_text(
            *self._line,
            user_id=str(address),
            event_id=f"01BURST{number:019d}",
            message_id=str(10**17 + number),
            reply_token=self._sandbox.line.issue_reply_token(str(address)),
            text=text,
        )

    def statuses(self, sent: dict[str, str]) -> list[SignedPost]:
        """Delivered and read for each message the campaign sent (`sent`: id -> wa_id)."""
        pairs = [(message_id, status) for message_id in sent for status in ("delivered", "read")]
        self.keys.update(f"whatsapp:status:{message_id}:{status}" for message_id, status in pairs)
        return [
            whatsapp_status(
                *self._wa, message_id=message_id, status=status, recipient=sent[message_id]
            )
            for message_id, status in pairs
        ]

    def old_statuses(self, count: int) -> list[SignedPost]:
        """Statuses for messages the bot holds no delivery for (logged, nothing else)."""
        assert count >= 0, "more events made than the burst holds"
        message_ids = [f"wamid.old{next(self._ids):012d}" for _ in range(count)]
        self.keys.update(f"whatsapp:status:{message_id}:delivered" for message_id in message_ids)
        return [
            whatsapp_status(
                *self._wa, message_id=message_id, status="delivered", recipient="34699999999"
            )
            for message_id in message_ids
        ]


def _twice(posts: list[SignedPost]) -> list[SignedPost]:
    """Every TWICE_EVERY-th request again, mixed in among the rest (concurrent duplicates)."""
    again = posts[::TWICE_EVERY]
    mixed = list(posts)
    for offset, post in enumerate(again):
        mixed.insert(min(len(mixed), offset * TWICE_EVERY * 2 + 7), post)
    return mixed


async def _bot(harness: Harness, folder: Path) -> tuple[str, list[BotProcess]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = bot_environment(
        harness,
        WEB_PORT=str(port),
        TELEGRAM_WEBHOOK_URL=f"{url}/webhooks/telegram",
        TELEGRAM_RATE_LIMIT=RATE,
        WHATSAPP_RATE_LIMIT=RATE,
        LINE_RATE_LIMIT=RATE,
        # One person in ten replies STOP: far over the share that holds a campaign for
        # review (right for a real one); this one must run to its end.
        PAUSE_OPT_OUT_RATE="1",
    )
    commands = ["web", "worker"] if harness.app.settings.REDIS_URL else ["run"]
    processes = [await start_bot(env, folder / f"{cmd}.log", command=cmd) for cmd in commands]
    await until_healthy(url, processes)
    return url, processes


async def _until_processed(burst: Burst, processes: list[BotProcess]) -> None:
    """The bot answers at once and works in the background: wait for its log and replies."""
    async with asyncio.timeout(180):
        while (
            await InboundEvent.all().count() < burst.distinct
            or await InboundReply.all().count() < sum(burst.replies.values())
        ):
            assert all(process.running for process in processes), "a bot process died"
            await asyncio.sleep(0.5)


def _inbox(harness: Harness, channel: str, address: str | int) -> list[str | None]:
    stand_in = getattr(harness.sandbox, channel)
    return [message.text for message in stand_in.inbox(address)]


@pytest.mark.timeout(600)
async def test_a_burst_of_50000_events_loses_none_and_handles_none_twice(
    harness: Harness, tmp_path: Path
) -> None:
    people = await audience(harness, telegram=1000, line=500, whatsapp=1000, first_chat=800_000)
    burst = Burst(harness)
    texts = burst.texts(people)
    campaign = await launch(harness, people, text=CAMPAIGN_TEXT)
    url, processes = await _bot(harness, tmp_path)
    try:
        started = time.monotonic()
        # While the campaign sends: the texts and most of the statuses, shuffled together.
        # Room for two statuses per WhatsApp message the bot may send: the campaign's, and
        # the confirmations of the STOPs.
        statuses_left = 2 * (len(people.whatsapp) + len(burst.stops["whatsapp"]))
        first = texts + burst.old_statuses(EVENTS - len(texts) - statuses_left)
        first = [
            post for pair in itertools.zip_longest(first[::2], first[1::2]) for post in pair if post
        ]
        seconds, refused = await post_all(url, _twice(first))
        posted = posted_first = len(_twice(first))
        await until_finished(campaign.id, timeout=180)
        # Then the statuses of what it sent; the people who stopped before their turn got
        # nothing, so messages of old campaigns make up the 50,000.
        sent = dict(harness.sandbox.whatsapp.sent)
        last = burst.statuses(sent)
        last += burst.old_statuses(EVENTS - burst.distinct)
        _, refused_last = await post_all(url, _twice(last))
        posted += len(_twice(last))
        await _until_processed(burst, processes)
        took = time.monotonic() - started
    finally:
        await stop_all(processes)

    assert burst.distinct == EVENTS
    assert refused + refused_last == 0, "every request answered 200"
    # None lost, none twice: each event logged once; each reply stored once.
    logged = await InboundEvent.all().values_list("key", flat=True)
    assert len(logged) == len(set(logged)) == EVENTS
    assert set(logged) == burst.keys, (
        sorted(set(logged) - burst.keys)[:5],
        sorted(burst.keys - set(logged))[:5],
    )
    replies = Counter(await InboundReply.all().values_list("channel", flat=True))
    assert replies == burst.replies
    # Each STOP confirmed exactly once (a STOP handled twice would be answered twice).
    for channel, addresses in burst.stops.items():
        confirmations = Counter(
            sum(
                1 for text in _inbox(harness, channel, address) if STOP_CONFIRMATION in (text or "")
            )
            for address in addresses
        )
        assert confirmations == Counter({1: len(addresses)}), (channel, confirmations)
    # Each status applied: every WhatsApp message of the campaign reads "read".
    applied = dict(
        await Delivery.filter(
            campaign_id=campaign.id, channel=Channel.WHATSAPP, message_id__isnull=False
        ).values_list("message_id", "status")
    )
    assert applied, "the campaign sent on WhatsApp during the burst"
    assert set(applied) <= set(sent)
    assert {DeliveryStatus(status) for status in applied.values()} == {DeliveryStatus.READ}
    # The campaign reached nobody twice while all this came in.
    for channel, addresses in (
        ("whatsapp", people.whatsapp),
        ("telegram", people.telegram),
        ("line", people.line),
    ):
        copies = Counter(
            _inbox(harness, channel, address).count(CAMPAIGN_TEXT) for address in addresses
        )
        assert set(copies) <= {0, 1}, (channel, copies)
    print(  # noqa: T201 - the figures the README quotes
        f"{EVENTS} events ({posted} requests), {len(sent)} statuses pairs for sent messages, "
        f"first {posted_first} requests posted in {seconds:.0f} s, all handled {took:.0f} s "
        "after the first"
    )
