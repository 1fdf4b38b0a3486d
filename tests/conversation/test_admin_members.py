"""/admin Members: search, the card, audited openings of a member's data (in their /mydata),
delete and restore; and nobody but an operator gets in, whatever the payload says."""

from __future__ import annotations

import csv
import io
import zipfile

from models import (
    Appeal,
    AuditEntry,
    Campaign,
    CampaignStatus,
    ContactList,
    Member,
    MemberStatus,
    Platform,
)
from tests.conversation.test_admin import operated
from tests.conversation.test_campaigns import audience, document
from tests.conversation.test_suspension import REASON, open_card, operator_chat, suspend
from tests.support.chats import LineChat, MemberChat, button_data
from tests.support.harness import Harness
from tests.support.onboarding import onboard
from tests.support.operators import OPERATOR_LINE

__all__ = ["operated"]


async def member_with_data(
    harness: Harness, platform: Platform
) -> tuple[MemberChat, Member, Campaign]:
    """An onboarded member called Bakery Sol with a list of two and a draft campaign."""
    chat = harness.chat(platform)
    await onboard(chat)
    await Member.all().update(display_name="Bakery Sol")  # as the platform profile names it
    member = await Member.get()
    customers = await audience(
        harness,
        member,
        [
            {"phone": "+34600111222", "first_name": "Lucia"},
            {"telegram_id": 7301, "first_name": "Mateo"},
        ],
    )
    campaign = await Campaign.create(
        member=member,
        name="Croissants",
        list_ids=[customers.id],
        text="Two croissants for one this Sunday",
        channels=["telegram"],
        created_at=harness.clock(),
        updated_at=harness.clock(),
    )
    return chat, member, campaign


async def test_opening_a_members_data_is_audited_and_in_their_export(operated: Harness) -> None:
    chat, member, _campaign = await member_with_data(operated, Platform.TELEGRAM)
    operator = LineChat(operated.sandbox.line, OPERATOR_LINE, language="en")
    operated.sandbox.line.add_user(OPERATOR_LINE)

    card = await open_card(operator, "bakery")  # part of the name, any case
    assert f"Member {member.id}: Bakery Sol" in (card.text or "")
    assert "Account: telegram 1001" in (card.text or "")
    assert "1 lists, 2 contacts, 1 campaigns" in (card.text or "")
    assert not await AuditEntry.exists()

    await operator.press(card, f"adm:do:lists:{member.id}")
    why = await operator.next()
    assert button_data(why) == [
        "adm:why:support",
        "adm:why:abuse",
        "adm:why:legal",
        "adm:why:cancel",
    ]
    await operator.press(why, "adm:why:support")
    shown = await operator.next()
    assert "Customers: 2 contacts, 0 opted out" in (shown.text or "")
    [list_button] = button_data(shown)
    await operator.press(shown, list_button)
    await operator.press(await operator.next(), "adm:why:abuse")
    opened = (await operator.next()).text or ""
    assert "Contacts of the list Customers" in opened
    assert "Lucia, +34600111222" in opened

    await operator.press(card, f"adm:do:contacts:{member.id}")
    await operator.next()
    await operator.send("Ticket 4711: the member asked why Lucia got nothing")
    shown = (await operator.next()).text or ""
    assert "Lucia, +34600111222" in shown
    assert "Mateo, telegram:7301" in shown

    await operator.press(card, f"adm:do:campaigns:{member.id}")
    await operator.press(await operator.next(), "adm:why:legal")
    assert "Two croissants for one this Sunday" in ((await operator.next()).text or "")

    await operator.press(card, f"adm:do:campaigns:{member.id}")
    await operator.press(await operator.next(), "adm:why:cancel")
    assert "nothing was done" in ((await operator.next()).text or "")

    entries = await AuditEntry.filter(member_id=member.id).order_by("id")
    list_id = int(list_button.rsplit(":", 1)[1])
    assert [(entry.action, entry.subject, entry.reason) for entry in entries] == [
        ("view_lists", None, "Support request"),
        ("view_contacts", f"list:{list_id}", "Abuse review"),
        ("view_contacts", None, "Ticket 4711: the member asked why Lucia got nothing"),
        ("view_campaigns", None, "Legal request"),
    ]
    assert {entry.operator for entry in entries} == {f"line:{OPERATOR_LINE}"}

    # The same operator finds them by member number and by chat account id too.
    assert f"Member {member.id}:" in ((await open_card(operator, str(member.id))).text or "")
    assert f"Member {member.id}:" in ((await open_card(operator, "1001")).text or "")

    await chat.send("/mydata")
    await chat.next()
    archive = zipfile.ZipFile(io.BytesIO(await document(chat)))
    rows = list(
        csv.DictReader(io.StringIO(archive.read("operator_access.csv").decode("utf-8-sig")))
    )
    assert [(row["action"], row["operator"]) for row in rows] == [
        ("view_lists", f"line:{OPERATOR_LINE}"),
        ("view_contacts", f"line:{OPERATOR_LINE}"),
        ("view_contacts", f"line:{OPERATOR_LINE}"),
        ("view_campaigns", f"line:{OPERATOR_LINE}"),
    ]
    assert rows[2]["reason"] == "Ticket 4711: the member asked why Lucia got nothing"
    assert all(row["at"] for row in rows)


async def test_forged_admin_payloads_from_a_member_change_and_show_nothing(
    operated: Harness,
) -> None:
    _chat, victim, campaign = await member_with_data(operated, Platform.TELEGRAM)
    await Appeal.create(member=victim, text="Private words", created_at=operated.clock())
    intruder = operated.chat(Platform.LINE)  # LINE lets anyone post any payload
    await onboard(intruder)
    line = operated.sandbox.line
    for payload in (
        "adm:members",
        f"adm:m:{victim.id}",
        f"adm:do:lists:{victim.id}",
        f"adm:do:list:{(await ContactList.get()).id}",
        f"adm:do:suspend:{victim.id}",
        f"adm:do:delete:{victim.id}",
        "adm:why:abuse",
        "adm:appeals",
        "adm:ap:1",
        "adm:aplift:1",
    ):
        await line.press_postback(intruder.user_id, payload)
        answer = (await intruder.next()).text or ""
        assert "expired" in answer, payload
        for secret in ("Bakery Sol", "Customers", "Croissants", "Private words", "Member"):
            assert secret not in answer, (payload, secret)
    await intruder.send("Bakery")  # as if it were a search
    assert "Bakery Sol" not in ((await intruder.next()).text or "")

    assert not await AuditEntry.exists()
    assert (await Member.get(id=victim.id)).status is MemberStatus.ACTIVE
    assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.DRAFT
    assert (await Appeal.get()).answered_at is None


async def test_the_operator_deletes_and_restores_a_member(operated: Harness) -> None:
    chat, member, campaign = await member_with_data(operated, Platform.TELEGRAM)
    operator = operator_chat(operated)

    # The operator on LINE, where any payload can be posted: ids are checked against the
    # member's state, not taken from the button.
    line_operator = LineChat(operated.sandbox.line, OPERATOR_LINE, language="en")
    operated.sandbox.line.add_user(OPERATOR_LINE)
    await operated.sandbox.line.press_postback(OPERATOR_LINE, f"adm:do:lift:{member.id}")
    await line_operator.next()
    await line_operator.send("Reviewed")
    assert "not suspended: there is nothing to lift" in ((await line_operator.next()).text or "")
    await operated.sandbox.line.press_postback(OPERATOR_LINE, "adm:do:lists:99999")
    assert "expired" in ((await line_operator.next()).text or "")
    await operated.sandbox.line.press_postback(OPERATOR_LINE, "adm:m:x")
    assert "no such member" in ((await line_operator.next()).text or "")

    card = await open_card(operator, str(member.id))

    assert "Delete the account" in str(card.buttons)
    await operator.press(card, f"adm:do:delete:{member.id}")
    question = await operator.next()
    assert "restored for 30 days" in (question.text or "")
    await operator.press(question, "adm:why:abuse")
    assert "account is deleted" in ((await operator.next()).text or "")
    told = (await chat.next()).text or ""
    assert "The operator deleted your account" in told
    assert (await Member.get(id=member.id)).status is MemberStatus.DELETED

    card = await open_card(operator, str(member.id))
    assert "Status: deleted" in (card.text or "")
    assert "Restorable until" in (card.text or "")
    assert f"adm:do:suspend:{member.id}" not in button_data(card)
    await operator.press(card, f"adm:do:restore:{member.id}")
    assert "Why?" in ((await operator.next()).text or "")
    await operator.send("The member wrote to support: deleted by mistake")
    assert "account is restored" in ((await operator.next()).text or "")
    assert "Status: active" in ((await operator.next()).text or "")
    assert "The operator restored your account" in ((await chat.next()).text or "")
    assert (await Member.get(id=member.id)).status is MemberStatus.ACTIVE
    assert (await Campaign.get(id=campaign.id)).status is CampaignStatus.DRAFT, "a draft stays"

    # Suspended, then deleted: a suspension of a deleted member is refused with its reason.
    card = await open_card(operator, str(member.id))
    await suspend(operator, card, member.id)
    await chat.next()  # told of the suspension
    await operated.app.services.accounts.delete(await Member.get(id=member.id))
    await operated.sandbox.line.press_postback(OPERATOR_LINE, f"adm:do:suspend:{member.id}")
    await line_operator.next()
    await line_operator.send(REASON)
    assert "deleted their account" in ((await line_operator.next()).text or "")

    entries = await AuditEntry.filter(member_id=member.id).order_by("id")
    assert [entry.action for entry in entries] == ["delete", "restore", "suspend"]
    assert entries[0].reason == "Abuse review"
