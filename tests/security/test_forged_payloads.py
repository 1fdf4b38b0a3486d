"""Buttons that name another member's objects, or an operator's actions, pressed by a member:
refused as expired, nothing shown, nothing changed.

LINE lets any client post any postback, and Telegram's callback_data can be forged by a
modified client (the Bot API warns of it). The LINE side of most of these is covered already
(tests/conversation: test_lists, test_contacts, test_campaigns_manage, test_admin,
test_admin_members, test_review, test_announcements, test_do_not_contact); here every family
runs on Telegram, and on LINE the actions no test had forged yet."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.sandbox import SentMessage
from bot.services.campaigns.service import Draft
from models import Campaign, Channel, Contact, ContactList, Member, Platform
from tests.conversation.test_admin import operated
from tests.conversation.test_campaigns import audience
from tests.security.forging import press_any
from tests.security.snapshots import DEDUP_LOG, snapshot
from tests.support.chats import MemberChat
from tests.support.harness import Harness
from tests.support.onboarding import onboard

__all__ = ["operated"]

# What the victim's data is called: none of it may appear in an answer to the intruder.
SECRETS = ("Private", "Ana", "Secret plan", "Luis", "Bakery")


@dataclass(frozen=True)
class Victim:
    member: Member
    list_id: int
    deleted_list_id: int
    contact_id: int
    deleted_contact_id: int
    campaign_id: int


async def _victim(harness: Harness) -> Victim:
    """A member with a list, a list in the trash, a contact, one in the trash, a draft."""
    owner = harness.chat(Platform.TELEGRAM)
    await onboard(owner)
    member = await Member.get()
    private = await audience(harness, member, [{"phone": "+34612345678", "first_name": "Ana"}])
    trashed = await audience(
        harness, member, [{"phone": "+34622333444", "first_name": "Luis"}], name="Private old"
    )
    await harness.app.services.lists.delete(member, trashed.id)
    ana = await Contact.filter(member=member).order_by("id").first()
    luis = await Contact.filter(member=member).order_by("-id").first()
    assert ana is not None
    assert luis is not None
    await harness.app.services.contacts.delete(member, luis.id)
    draft = Draft(name="Secret plan", list_ids=[private.id], text="Hi", channels=[Channel.LINE])
    campaign = await harness.app.services.campaigns.save(member, draft)
    return Victim(member, private.id, trashed.id, ana.id, luis.id, campaign.id)


def _member_payloads(v: Victim) -> dict[str, bool]:
    """Every button family that carries an id, naming the victim's objects; True where a
    LINE test forged it already."""
    lists = {
        f"lst:open:{v.list_id}": True,
        f"lst:export:csv:{v.list_id}": True,
        f"lst:export:xlsx:{v.list_id}": False,
        f"lst:optin:{v.list_id}": False,
        f"lst:rename:{v.list_id}": False,
        f"lst:tags:{v.list_id}": False,
        f"lst:delete:{v.list_id}": False,
        f"lst:deleteok:{v.list_id}": True,
        f"lst:restore:{v.deleted_list_id}": False,
    }
    contacts = {
        f"ctc:open:{v.contact_id}": True,
        f"ctc:delete:{v.contact_id}": True,
        f"ctc:restore:{v.deleted_contact_id}": False,
        f"ctc:name:{v.contact_id}": True,
        f"ctc:phone:{v.contact_id}": True,
        f"ctc:tags:{v.contact_id}": True,
        f"ctc:lang:{v.contact_id}": True,
        f"ctc:setlang:{v.contact_id}:fr": True,
    }
    campaigns = {
        f"cmp:{action}:{v.campaign_id}": True
        for action in ("open", "pause", "resume", "cancelok", "report", "csv", "retry", "dup")
    }
    campaigns |= {f"cmp:edit:{v.campaign_id}": True, f"cmp:cancel:{v.campaign_id}": False}
    # Dialog steps taken out of their dialog: the import's target list, the campaign's list.
    steps = {f"imp:list:{v.list_id}": False, f"new:list:{v.list_id}": True}
    return lists | contacts | campaigns | steps


async def _refused_each(
    harness: Harness, platform: Platform, payloads: list[str], *, secrets: tuple[str, ...]
) -> tuple[MemberChat, SentMessage]:
    """An intruder presses each payload; returns their chat and the message pressed under."""
    intruder = harness.chat(platform)
    welcome = await onboard(intruder)
    before = await snapshot(skip=(DEDUP_LOG,))
    for payload in payloads:
        await press_any(harness, platform, intruder.user_id, welcome, payload)
        answer = (await intruder.next()).text or ""
        assert "expired" in answer, payload
        for secret in secrets:
            assert secret not in answer, (payload, secret)
    # No dialog was opened by a rename, tags or name button: this is stray text, not a name.
    await intruder.send("Mallory")
    assert "/help" in ((await intruder.next()).text or "")
    assert await snapshot(skip=(DEDUP_LOG,)) == before
    return intruder, welcome


@pytest.mark.parametrize("platform", [Platform.TELEGRAM, Platform.LINE], ids=["telegram", "line"])
async def test_another_members_lists_contacts_and_campaigns_are_refused(
    harness: Harness, platform: Platform
) -> None:
    victim = await _victim(harness)
    table = _member_payloads(victim)
    # On LINE, only what no other test forged; on Telegram, every family.
    payloads = [p for p, on_line in table.items() if platform is Platform.TELEGRAM or not on_line]
    intruder, welcome = await _refused_each(harness, platform, payloads, secrets=SECRETS)
    assert (await ContactList.get(id=victim.list_id)).deleted_at is None
    assert (await ContactList.get(id=victim.deleted_list_id)).deleted_at is not None
    assert (await Campaign.get(id=victim.campaign_id)).name == "Secret plan"

    # The same forged press, naming the intruder's own list, works: the refusals above were
    # for whose list it is, not for how the press was made.
    mine = await audience(harness, await Member.get(accounts__external_id=intruder.user_id),
                          [{"phone": "+34699000111"}], name="Mine")  # fmt: skip
    await press_any(harness, platform, intruder.user_id, welcome, f"lst:open:{mine.id}")
    assert "Mine" in ((await intruder.next()).text or "")


async def test_operator_buttons_from_a_member_on_telegram_are_refused(operated: Harness) -> None:
    # The LINE side: tests/conversation/test_admin*.py, test_review, test_announcements,
    # test_do_not_contact. The operator is configured, so refusals are for who presses.
    victim = await _victim(operated)
    member_id, campaign_id = victim.member.id, victim.campaign_id
    payloads = [
        "adm:stats", "adm:members", f"adm:m:{member_id}", f"adm:do:lists:{member_id}",
        f"adm:do:list:{victim.list_id}", f"adm:do:contacts:{member_id}",
        f"adm:do:campaigns:{member_id}", f"adm:do:suspend:{member_id}",
        f"adm:do:delete:{member_id}", "adm:why:abuse", "adm:appeals", "adm:ap:1",
        "adm:apans:1", "adm:aplift:1", "adm:review", f"adm:rv:open:{campaign_id}",
        f"adm:rv:ok:{campaign_id}", f"adm:rv:no:{campaign_id}", "adm:rules",
        "adm:rules:k:word:0", "adm:rules:add:word", "adm:rules:on:1", "adm:rules:off:1",
        "adm:notice", "adm:notice:new:service", "adm:notice:send", "adm:notice:list",
        "adm:notice:csv:1", "adm:dnc", "adm:dnc:add", "adm:dnc:del", "adm:dnc:csv",
    ]  # fmt: skip
    await _refused_each(operated, Platform.TELEGRAM, payloads, secrets=(*SECRETS, "Members:"))
