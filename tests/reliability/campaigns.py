"""What the reliability tests share: an audience on Telegram and LINE known to the sandbox, a
launched campaign, waiting for its end, and the promise checked at the end (everyone got the
campaign once, except deliveries the product itself reports ambiguous, within a bound)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from bot.services.campaigns.service import Draft
from models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentSource,
    Contact,
    ContactList,
    Delivery,
    DeliveryStatus,
    ListMembership,
    Member,
    MemberStatus,
)
from tests.support.harness import Harness


@dataclass(slots=True)
class Audience:
    """A member's list and its people's addresses on each channel."""

    member: Member
    contact_list: ContactList
    telegram: list[int] = field(default_factory=list)
    line: list[str] = field(default_factory=list)
    whatsapp: list[str] = field(default_factory=list)  # wa_ids: the number's digits

    @property
    def channels(self) -> list[Channel]:
        """The channels someone on the list is reached on."""
        reached = {
            Channel.LINE: self.line,
            Channel.TELEGRAM: self.telegram,
            Channel.WHATSAPP: self.whatsapp,
        }
        return [channel for channel, people in reached.items() if people]


async def audience(
    harness: Harness,
    *,
    telegram: int,
    line: int = 0,
    whatsapp: int = 0,
    first_chat: int = 500_000,
) -> Audience:
    """An active member with one list: `telegram` people on Telegram (chat ids from
    `first_chat`), `line` on LINE (known to the sandbox) and `whatsapp` on WhatsApp (Spanish
    mobiles, sealed as the importer seals them)."""
    now = harness.clock()
    member = await Member.create(status=MemberStatus.ACTIVE)
    contact_list = await ContactList.create(
        member=member, name="All", opt_in_token=f"list{first_chat}"
    )
    people = Audience(member, contact_list)
    people.telegram = [first_chat + number for number in range(telegram)]
    for chat_id in people.telegram:
        harness.sandbox.telegram.add_user(chat_id)
    people.line = [
        harness.sandbox.line.add_user(harness.sandbox.line.new_user_id()) for _ in range(line)
    ]
    people.whatsapp = [f"346{number:08d}" for number in range(whatsapp)]
    sealer = harness.app.services.sealer
    rows: list[dict[str, object]] = [{"telegram_id": chat_id} for chat_id in people.telegram]
    rows += [{"line_id": user} for user in people.line]
    for wa_id in people.whatsapp:
        sealed = sealer.seal(f"+{wa_id}")
        rows.append({"phone_hash": sealer.lookup(f"+{wa_id}"), "phone": sealed, "whatsapp": sealed})
    await Contact.bulk_create(
        [
            Contact(
                member=member,
                consent_source=ConsentSource.FILE_IMPORT,
                consent_at=now,
                consent_by="member:1",
                created_at=now,
                **row,
            )
            for row in rows
        ]
    )
    ids = [contact.id for contact in await Contact.filter(member=member).only("id")]
    await ListMembership.bulk_create(
        [ListMembership(contact_list=contact_list, contact_id=cid, added_at=now) for cid in ids]
    )
    assert len(ids) == len(rows)
    return people


async def launch(harness: Harness, people: Audience, *, text: str) -> Campaign:
    """Launch a campaign to the whole list on every channel it reaches (WhatsApp by an
    approved template); returns once its audience is written (and queued, with Redis), so
    that processes started next find it all."""
    campaigns = harness.app.services.campaigns
    whatsapp = bool(people.whatsapp)
    draft = Draft(
        name=text,
        list_ids=[people.contact_list.id],
        text=text,
        channels=people.channels,
        whatsapp_template="campaign" if whatsapp else None,
        whatsapp_language="en" if whatsapp else None,
    )
    campaign = await campaigns.launch(await campaigns.save(people.member, draft))
    await harness.app.tasks.drain(grace=30)
    return campaign


def telegram_sends(harness: Harness) -> int:
    """Campaign messages the sandbox's Telegram has received so far."""
    return sum(1 for call in harness.sandbox.calls if call.method == "sendMessage")


async def until_sent(harness: Harness, count: int, *, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait callers tune
    """Wait until Telegram has received `count` messages."""
    async with asyncio.timeout(timeout):
        while telegram_sends(harness) < count:  # noqa: ASYNC110 - the sandbox is polled
            await asyncio.sleep(0.01)


async def until_finished(campaign_id: int, *, timeout: float) -> None:  # noqa: ASYNC109 - a bounded wait callers tune
    """Wait until the campaign reads FINISHED in the database."""
    async with asyncio.timeout(timeout):
        while (await Campaign.get(id=campaign_id)).status is not CampaignStatus.FINISHED:  # noqa: ASYNC110
            await asyncio.sleep(0.1)


async def assert_each_once(
    harness: Harness, campaign_id: int, people: Audience, *, in_flight: int
) -> Counter[DeliveryStatus]:
    """Every delivery ended sent or ambiguous (at most `in_flight` of those: what the
    workers held when they were cut off), nobody got the campaign twice, and everyone but
    the ambiguous ones got it. The statuses, counted."""
    statuses = Counter(
        DeliveryStatus(status)
        for status in await Delivery.filter(campaign_id=campaign_id).values_list(
            "status", flat=True
        )
    )
    ambiguous = statuses[DeliveryStatus.AMBIGUOUS]
    assert set(statuses) <= {DeliveryStatus.SENT, DeliveryStatus.AMBIGUOUS}, statuses
    assert sum(statuses.values()) == len(people.telegram) + len(people.line), "none lost"
    assert ambiguous <= in_flight, statuses
    received = Counter(len(harness.sandbox.telegram.inbox(chat)) for chat in people.telegram)
    assert set(received) <= {0, 1}, "nobody gets the campaign twice"
    # Everyone got it, except ambiguous ones whose send never reached the platform.
    assert received[1] >= len(people.telegram) - ambiguous
    line_received = Counter(len(harness.sandbox.line.inbox(user)) for user in people.line)
    assert set(line_received) <= {0, 1}, "LINE: nobody twice either"
    assert line_received[1] >= len(people.line) - ambiguous
    return statuses
