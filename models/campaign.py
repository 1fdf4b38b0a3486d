"""Campaigns and their deliveries: one row per recipient, the dispatcher's source of truth."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.contact import Contact
from models.member import Member


class Channel(StrEnum):
    """The channels a campaign reaches recipients on, in the member's order of preference."""

    TELEGRAM = "telegram"
    LINE = "line"
    WHATSAPP = "whatsapp"


class CampaignStatus(StrEnum):
    """A campaign's life cycle. Changes only through services.campaigns.states.transition."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    # Held for the operator: flagged by screening at launch, or paused by the dispatcher when
    # its opt-out or failure rate crossed a threshold. Nothing sends until approved.
    REVIEW = "review"
    CANCELLED = "cancelled"
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    """One recipient's message.

    PENDING waits for a worker (and for `not_before`: quiet hours, backoff). SENDING is
    recorded before the platform is called: a worker that dies leaves it there, and whoever
    picks the campaign up again cannot know whether the platform accepted it: AMBIGUOUS,
    counted in the report and never sent again.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    SKIPPED = "skipped"  # opted out (before launch or mid-campaign), or no channel reaches them
    AMBIGUOUS = "ambiguous"
    CANCELLED = "cancelled"


class HoldReason(StrEnum):
    """Why a campaign is in REVIEW."""

    SCREENING = "screening"  # its content matched the screening rules at launch
    OPT_OUTS = "opt_outs"  # too many recipients opted out while it ran
    FAILURES = "failures"  # too many permanent failures while it ran


# Why a delivery was never sent, beside the platforms' own error codes.
OPTED_OUT = "opted_out"  # on the suppression list at launch, or by the time of sending
NO_CHANNEL = "no_channel"  # none of the campaign's channels reaches this person
RETRIES_EXHAUSTED = "retries_exhausted"


class CampaignImage(Model):
    """The picture a campaign carries above its text, as the member uploaded it.

    LINE and WhatsApp fetch it from our web server by its token, which is the only key
    (256 random bits): as private as the campaign. Telegram reuses the file id of the
    member's own upload where there is one (the same bot can send it again at no cost).
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="campaign_images", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True)
    mime_type = fields.CharField(max_length=32)
    content = fields.BinaryField()
    preview = fields.BinaryField()  # a small JPEG: LINE's preview image
    telegram_file_id = fields.CharField(max_length=256, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "campaign_image"


class Campaign(Model):
    """A message a member sends to their lists on the channels they chose."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="campaigns", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=128)
    status = fields.CharEnumField(CampaignStatus, default=CampaignStatus.DRAFT, max_length=16)
    list_ids: list[int] = fields.JSONField(default=list)  # type: ignore[assignment]
    tag = fields.CharField(max_length=64, null=True)  # only contacts with this tag
    text = fields.TextField(default="")
    image: fields.ForeignKeyNullableRelation[CampaignImage] = fields.ForeignKeyField(
        "models.CampaignImage", related_name="campaigns", on_delete=fields.SET_NULL, null=True
    )
    channels: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    whatsapp_template = fields.CharField(max_length=512, null=True)
    whatsapp_language = fields.CharField(max_length=16, null=True)
    # Placeholder names filling the template's body parameters {{1}}, {{2}}... in order.
    whatsapp_params: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    scheduled_at = fields.DatetimeField(null=True)  # None: at launch
    # Quiet hours in the recipient's local time, minutes after midnight; None: none.
    quiet_start = fields.SmallIntField(null=True)
    quiet_end = fields.SmallIntField(null=True)
    error = fields.CharField(max_length=64, null=True)  # why it failed
    # Whether every recipient has its delivery row: a launch cut short resumes the snapshot.
    audience_ready = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()
    # When the member was sent the report of its end: once, by the chat that watched it or,
    # when that chat's process was gone, by a worker (CampaignService.report_ended).
    reported_at = fields.DatetimeField(null=True)
    # The deliveries' counts, kept here when the retention purge deletes the deliveries
    # themselves (see services/privacy/retention.py): [status, channel, error, fell back, n].
    archived_counts: list[list[object]] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    # Why it waits for the operator (HoldReason), what screening found (rule findings, as
    # the member and the operator read them), and the operator's decision.
    hold_reason = fields.CharField(max_length=32, null=True)
    findings: list[dict[str, object]] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    reviewed_at = fields.DatetimeField(null=True)
    review_note = fields.TextField(null=True)  # the operator's reason, told to the member

    class Meta:
        table = "campaign"
        indexes = (("member_id", "created_at"), ("status", "scheduled_at"))


class Delivery(Model):
    """One recipient of one campaign: the channel chosen, what happened, when."""

    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="deliveries", on_delete=fields.CASCADE
    )
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="deliveries", on_delete=fields.SET_NULL, null=True
    )
    channel = fields.CharEnumField(Channel, max_length=16, null=True)
    # The channels this recipient was tried on before `channel` (permanent failures).
    fell_back_from = fields.CharField(max_length=64, null=True)
    status = fields.CharEnumField(DeliveryStatus, default=DeliveryStatus.PENDING, max_length=16)
    attempts = fields.SmallIntField(default=0)
    not_before = fields.DatetimeField(null=True)
    message_id = fields.CharField(max_length=128, null=True)
    error_code = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "delivery"
        indexes = (("campaign_id", "status"), ("message_id",))
        # A snapshot resumed by two workers at once writes each recipient once.
        unique_together = (("campaign", "contact"),)
