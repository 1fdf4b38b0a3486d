"""The rules of the service, platform-neutral; handlers call these, never the ORM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.charts import ChartDrawer
from bot.crypto import Sealer
from bot.dispatch.parts import DispatchParts
from bot.services.announcements import AnnouncementService, NoticeDelivering
from bot.services.appeals import AppealService
from bot.services.audit import AuditService
from bot.services.campaigns.autopause import AutoPause, OnHold, PauseLimits
from bot.services.campaigns.images import ImageService
from bot.services.campaigns.review import ReviewService
from bot.services.campaigns.service import CampaignService, UnwatchedReport
from bot.services.campaigns.states import Transitions
from bot.services.clock import Clock, utc_now
from bot.services.downloads import DownloadService
from bot.services.inbound import InboundLog
from bot.services.lists import ListService
from bot.services.lists.contacts import ContactService
from bot.services.lists.imports import ImportService, ResumedReporting
from bot.services.member_admin import MemberDirectory
from bot.services.members import MemberService
from bot.services.operators import OperatorService
from bot.services.optin import BotHandles, OptInService
from bot.services.optout.operator_list import DoNotContactService
from bot.services.optout.own_keywords import OwnKeywordService
from bot.services.optout.service import OptOutService
from bot.services.privacy.accounts import AccountService
from bot.services.privacy.export import MemberExport
from bot.services.privacy.retention import RetentionService
from bot.services.screening import ScreeningService
from bot.services.suspensions import SuspensionService
from bot.services.usage import UsageService
from bot.tasks import BackgroundTasks
from models import Channel, InboundReply, Member, Platform

__all__ = [
    "AuditService",
    "CampaignService",
    "Clock",
    "ContactService",
    "DownloadService",
    "ImageService",
    "ImportService",
    "ListService",
    "MemberService",
    "OptInService",
    "Services",
    "UsageService",
    "utc_now",
]


@dataclass(frozen=True, slots=True)
class Services:
    """Every service, built once per process by the composition root."""

    clock: Clock
    sealer: Sealer  # the adapters' keyed hash of a number, for an event key (see web.py)
    members: MemberService
    lists: ListService
    contacts: ContactService
    imports: ImportService
    downloads: DownloadService
    optin: OptInService
    campaigns: CampaignService
    images: ImageService
    recipients: OptOutService
    keywords: OwnKeywordService
    inbound: InboundLog
    usage: UsageService
    member_export: MemberExport
    retention: RetentionService
    accounts: AccountService
    operators: OperatorService
    audit: AuditService
    # The operator's member tools (issue 6).
    suspensions: SuspensionService
    appeals: AppealService
    directory: MemberDirectory
    announcements: AnnouncementService
    do_not_contact: DoNotContactService
    screening: ScreeningService
    reviews: ReviewService
    autopause: AutoPause
    charts: ChartDrawer

    async def left_channel(self, channel: str, address: str, detail: str) -> None:
        """A platform says someone left a channel by their own act (blocked the bot,
        unfollowed): the adapters' signal, in their own plain terms."""
        await self.recipients.left_channel(Channel(channel), address, detail=detail)

    @classmethod
    def build(
        cls,
        *,
        public_url: str,
        tasks: BackgroundTasks,
        handles: BotHandles,
        dispatch: DispatchParts,
        channels: Collection[Channel],
        on_reply: Callable[[InboundReply], Awaitable[object]] | None = None,
        resumed_imports: ResumedReporting | None = None,
        unwatched_campaigns: UnwatchedReport | None = None,
        usage_retention: timedelta,
        details_retention: timedelta,
        hasher: Callable[[str], str],
        sealer: Sealer,
        announce_terms: Callable[[Member], Awaitable[object]] | None = None,
        operator_ids: Mapping[Platform, Collection[str]] | None = None,
        notices: NoticeDelivering | None = None,
        pause_limits: PauseLimits | None = None,
        on_hold: OnHold | None = None,
        charts: ChartDrawer | None = None,
        clock: Clock = utc_now,
    ) -> Services:
        """Wire the services with one shared clock (tests pass a movable one); `channels`
        are those configured, which campaigns may send on; `resumed_imports` reports on the
        imports this process resumes for one that died; `unwatched_campaigns` reports the
        campaigns that ended with no chat watching; `hasher` is the installation's keyed hash
        (privacy/hashing.py); `sealer` seals and opens contacts' numbers and names and finds
        numbers by their keyed hash (bot/crypto.py); `announce_terms` tells a member the terms
        changed; `operator_ids` are the operators' chat account ids per platform; `notices`
        sends the operator's announcements to members (see announcements.py); `pause_limits`
        the rates that hold a running campaign, and `on_hold` tells its member and the
        operators; `charts` draws the reports' and usage charts (tests give one that
        breaks)."""
        transitions = Transitions(clock=clock, on_change=dispatch.signals.publish)
        screening = ScreeningService(clock=clock)
        campaigns = CampaignService(
            clock=clock,
            transitions=transitions,
            queue=dispatch.queue,
            store=dispatch.store,
            tasks=tasks,
            enabled=channels,
            sealer=sealer,
            unwatched=unwatched_campaigns,
            screening=screening,
        )
        audit = AuditService(clock=clock)
        lists = ListService(clock=clock, sealer=sealer)
        accounts = AccountService(clock=clock, campaigns=campaigns, hasher=hasher)
        return cls(
            clock=clock,
            sealer=sealer,
            members=MemberService(clock=clock, hasher=hasher, announce_terms=announce_terms),
            lists=lists,
            contacts=ContactService(clock=clock, sealer=sealer),
            imports=ImportService(
                clock=clock, tasks=tasks, sealer=sealer, resumed=resumed_imports, hasher=hasher
            ),
            downloads=DownloadService(clock=clock, public_url=public_url, sealer=sealer),
            images=ImageService(clock=clock, public_url=public_url),
            optin=OptInService(clock=clock, handles=handles, sealer=sealer),
            recipients=OptOutService(clock=clock, sealer=sealer, on_reply=on_reply),
            keywords=OwnKeywordService(),
            inbound=InboundLog(clock=clock),
            usage=UsageService(clock=clock, retention=usage_retention, sealer=sealer),
            member_export=MemberExport(clock=clock, sealer=sealer),
            retention=RetentionService(
                clock=clock, store=dispatch.store, details=details_retention
            ),
            campaigns=campaigns,
            accounts=accounts,
            operators=OperatorService(
                clock=clock,
                telegram_ids=(operator_ids or {}).get(Platform.TELEGRAM, ()),
                line_ids=(operator_ids or {}).get(Platform.LINE, ()),
            ),
            audit=audit,
            suspensions=SuspensionService(clock=clock, campaigns=campaigns, audit=audit),
            appeals=AppealService(clock=clock, audit=audit),
            directory=MemberDirectory(audit=audit, lists=lists, accounts=accounts, sealer=sealer),
            announcements=AnnouncementService(clock=clock, tasks=tasks, delivering=notices),
            do_not_contact=DoNotContactService(clock=clock, sealer=sealer),
            screening=screening,
            reviews=ReviewService(clock=clock, campaigns=campaigns, transitions=transitions),
            autopause=AutoPause(
                campaigns=campaigns, limits=pause_limits or PauseLimits(), on_hold=on_hold
            ),
            charts=charts or ChartDrawer(),
        )
