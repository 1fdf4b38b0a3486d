"""/mydata: every kind of record held about a member is in their export, nobody else's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from tortoise.models import Model

import models
from bot.services.privacy.export import TABLES
from models import (
    Campaign,
    CampaignImage,
    ChatAccount,
    Delivery,
    DeliveryStatus,
    InboundReply,
    ListMembership,
    Member,
    Platform,
    Suppression,
    SuppressionSource,
    UsageRecord,
)
from tests.conversation.test_campaign_images import png
from tests.conversation.test_campaigns import audience, document
from tests.support.contacts import sealer
from tests.support.harness import Harness
from tests.support.onboarding import onboard

# Models that hold nothing about one member: the member row itself (account.json), and
# service-wide records (webhook dedup log, download links, one-time link codes, the hashed
# opt-outs of purged members and the installation's own key).
NOT_MEMBER_DATA = {
    "Member",
    "InboundEvent",
    "Download",
    "LinkCode",
    "ForgottenOptOut",
    "ServiceSecret",
    "ScreeningRule",
    "Announcement",  # each member's copy is theirs: NoticeDelivery
}


def test_every_model_is_exported_or_known_not_to_be_member_data() -> None:
    exported = {table.model.__name__ for table in TABLES}
    defined = {
        name
        for name in models.__all__
        if isinstance(value := getattr(models, name), type) and issubclass(value, Model)
    }
    assert defined - exported - NOT_MEMBER_DATA == set(), "a model is missing from /mydata"


async def test_my_data_holds_every_record_of_mine_and_none_of_anyone_else(
    harness: Harness, platform: Platform
) -> None:
    chat = harness.chat(platform)
    await onboard(chat)
    member = await Member.get()
    other = harness.chat(Platform.TELEGRAM if platform is Platform.LINE else Platform.LINE)
    await onboard(other)
    stranger = await Member.exclude(id=member.id).get()
    for owner, phone in ((member, "+34612345678"), (stranger, "+34698765432")):
        customers = await audience(
            harness, owner, [{"phone": phone, "first_name": f"Contact{owner.id}"}]
        )
        campaign = await Campaign.create(
            member=owner,
            name=f"Campaign{owner.id}",
            list_ids=[customers.id],
            text="Hello",
            channels=["whatsapp"],
            created_at=harness.clock(),
            updated_at=harness.clock(),
        )
        [contact] = await ListMembership.filter(contact_list=customers).values_list(
            "contact_id", flat=True
        )
        await Delivery.create(
            campaign=campaign,
            contact_id=contact,
            channel="whatsapp",
            status=DeliveryStatus.SENT,
            created_at=harness.clock(),
            updated_at=harness.clock(),
        )
        await Suppression.create(
            member=owner,
            key=f"telegram:{owner.id}",
            channel="telegram",
            source=SuppressionSource.KEYWORD,
        )
        await InboundReply.create(
            member=owner,
            contact_id=contact,
            channel="whatsapp",
            address=sealer(harness).seal(phone),
            text=f"Thanks{owner.id}",
            received_at=harness.clock(),
        )
        await UsageRecord.create(
            member_id=owner.id,
            campaign_id=campaign.id,
            sent_at=harness.clock(),
            channel="whatsapp",
            account="1",
            recipient=sealer(harness).seal(phone),
            units=1,
            status="sent",
        )
    picture = png()
    await harness.app.services.images.accept(member, picture)

    await chat.send("/mydata")
    assert "Gathering" in ((await chat.next()).text or "")
    archive = zipfile.ZipFile(io.BytesIO(await document(chat)))
    names = set(archive.namelist())
    assert {table.file for table in TABLES} | {"account.json", "manifest.json"} <= names

    account = json.loads(archive.read("account.json"))
    assert (account["id"], account["locale"]) == (member.id, member.locale)
    tables = {
        table.file: list(csv.DictReader(io.StringIO(archive.read(table.file).decode("utf-8-sig"))))
        for table in TABLES
    }
    mine = str(member.id)
    for file in ("lists.csv", "contacts.csv", "suppressions.csv", "campaigns.csv", "replies.csv"):
        assert tables[file], f"{file} is empty"
        assert {row["member_id"] for row in tables[file]} == {mine}, file
    # Sealed at rest, readable for their member.
    [contact_row] = tables["contacts.csv"]
    assert (contact_row["first_name"], contact_row["phone"]) == (
        f"Contact{member.id}",
        "'+34612345678",
    )
    assert [row["address"] for row in tables["replies.csv"]] == ["'+34612345678"]
    assert [row["text"] for row in tables["replies.csv"]] == [f"Thanks{member.id}"]
    assert [row["recipient"] for row in tables["usage.csv"]] == ["'+34612345678"]
    [delivery] = tables["deliveries.csv"]
    assert delivery["status"] == "sent"
    [account_row] = tables["chat_accounts.csv"]
    assert account_row["external_id"] == chat.user_id
    assert len(tables["list_memberships.csv"]) == 1
    assert archive.read(f"files/campaign_picture_{(await CampaignImage.get()).id}.png") == picture
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["files"]["contacts.csv"] == 1
    everything = b"".join(archive.read(name) for name in names)
    assert f"Contact{stranger.id}".encode() not in everything
    assert b"+34698765432" not in everything
    assert await ChatAccount.filter(member=stranger).exists()  # the stranger exists, unexported
