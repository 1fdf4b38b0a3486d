"""Tortoise ORM models: the one schema every process shares."""

from models.campaign import (
    NO_CHANNEL,
    OPTED_OUT,
    RETRIES_EXHAUSTED,
    Campaign,
    CampaignImage,
    CampaignStatus,
    Channel,
    Delivery,
    DeliveryStatus,
    HoldReason,
)
from models.contact import ConsentSource, Contact, ContactList, ListMembership
from models.download import Download
from models.imports import ImportJob, ImportStatus, Upload
from models.inbound import InboundEvent
from models.member import ChatAccount, LinkCode, Member, MemberStatus, Platform
from models.operator import (
    Announcement,
    Appeal,
    AuditEntry,
    NoticeDelivery,
    NoticeKind,
    RuleKind,
    ScreeningRule,
)
from models.reply import InboundReply
from models.suppression import (
    ForgottenOptOut,
    ServiceSecret,
    Suppression,
    SuppressionSource,
    suppression_key,
)
from models.usage import UsageRecord

__all__ = [
    "NO_CHANNEL",
    "OPTED_OUT",
    "RETRIES_EXHAUSTED",
    "Announcement",
    "Appeal",
    "AuditEntry",
    "Campaign",
    "CampaignImage",
    "CampaignStatus",
    "Channel",
    "ChatAccount",
    "ConsentSource",
    "Contact",
    "ContactList",
    "Delivery",
    "DeliveryStatus",
    "Download",
    "ForgottenOptOut",
    "HoldReason",
    "ImportJob",
    "ImportStatus",
    "InboundEvent",
    "InboundReply",
    "LinkCode",
    "ListMembership",
    "Member",
    "MemberStatus",
    "NoticeDelivery",
    "NoticeKind",
    "Platform",
    "RuleKind",
    "ScreeningRule",
    "ServiceSecret",
    "Suppression",
    "SuppressionSource",
    "Upload",
    "UsageRecord",
    "suppression_key",
]
