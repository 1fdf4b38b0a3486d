"""The operator's announcements to the members: service, breach and promotional notices.

An announcement is written with one NoticeDelivery row per addressee in one transaction, then
delivered in the background, one member at a time within the bot's sending budget. Each row
is claimed before its send and marked after it, so a delivery cut short (a restart, a crash)
is resumed by the scheduled job from the rows nobody tried yet, and nobody gets it twice. The
rows of a breach notice are the record the law asks for: who got it, and when.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.services.clock import Clock
from bot.tasks import BackgroundTasks
from models import Announcement, Member, MemberStatus, NoticeDelivery, NoticeKind

log = logging.getLogger(__name__)

MAX_NOTICE_CHARS = 3500  # Telegram takes 4096 a message: room for the frame in any language
_BATCH = 500
_CREATE_BATCH = 1000


def audience(kind: NoticeKind) -> Q:
    """Who an announcement of this kind is for. Breach notices reach every member whose data
    we still hold (a deleted account is held until it is purged); service notices every
    member but those who deleted their account; promotional ones only the active members
    who take them. Checked again just before each send."""
    if kind is NoticeKind.BREACH:
        return Q()
    if kind is NoticeKind.SERVICE:
        return ~Q(status=MemberStatus.DELETED)
    return Q(status=MemberStatus.ACTIVE, promotions=True)


# Renders the notice in the member's language and sends it to each of their chats; how many
# chats took it. The composition root builds it (services never hold a chat client).
NoticeSender = Callable[[Member, NoticeKind, str], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Reach:
    """How far an announcement got."""

    addressed: int  # members it was written for
    reached: int  # members at least one of whose chats took it
    tried: int  # members tried, reached or not

    @property
    def done(self) -> bool:
        """Every addressee was tried."""
        return self.tried >= self.addressed


@dataclass(frozen=True, slots=True)
class NoticeDelivering:
    """What delivering needs from the composition root: `send` (see NoticeSender), `pace`
    (waits for a slot in the bot's sending budget, shared with campaigns) and `finished`
    (tells the operators how far it got, once)."""

    send: NoticeSender
    pace: Callable[[], Awaitable[None]]
    finished: Callable[[Announcement, Reach], Awaitable[object]]


class NoticeTextError(ValueError):
    """The operator's text is empty, or does not fit one chat message with its frame."""


class AnnouncementService:
    """Writes, delivers, resumes and reports the operator's announcements."""

    def __init__(
        self, *, clock: Clock, tasks: BackgroundTasks, delivering: NoticeDelivering | None
    ) -> None:
        """`delivering` is None in processes that cannot send (nothing is delivered there;
        a worker's scheduled job resumes it)."""
        self._clock = clock
        self._tasks = tasks
        self._delivering = delivering

    async def addressees(self, kind: NoticeKind) -> int:
        """How many members an announcement of this kind would be written for now."""
        return await Member.filter(audience(kind)).count()

    async def create(self, kind: NoticeKind, text: str, *, operator: str) -> Announcement:
        """Write the announcement and a delivery row for each addressee, in one go."""
        text = text.strip()
        if not text or len(text) > MAX_NOTICE_CHARS:
            raise NoticeTextError(len(text))
        async with in_transaction():
            announcement = await Announcement.create(
                kind=kind, text=text, created_at=self._clock(), created_by=operator
            )
            member_ids = (
                await Member.filter(audience(kind)).order_by("id").values_list("id", flat=True)
            )
            await NoticeDelivery.bulk_create(
                [
                    NoticeDelivery(announcement=announcement, member_id=member_id)
                    for member_id in member_ids
                ],
                batch_size=_CREATE_BATCH,
            )
        log.info(
            "announcement written",
            extra={
                "announcement_id": announcement.id,
                "kind": kind.value,
                "members": len(member_ids),
            },
        )
        return announcement

    def launch(self, announcement: Announcement) -> None:
        """Deliver in the background of this process."""
        self._tasks.spawn(self.deliver(announcement.id), name=_task_name(announcement.id))

    async def deliver(self, announcement_id: int) -> Reach | None:
        """Send to every addressee nobody has tried yet, then finish; None when there is
        nothing to deliver (finished, gone, or this process cannot send)."""
        delivering = self._delivering
        announcement = await Announcement.get_or_none(id=announcement_id)
        if delivering is None or announcement is None or announcement.finished_at is not None:
            return None
        last_id = 0
        while batch := await self._untried(announcement_id, after=last_id):
            for row in batch:
                last_id = row.id
                await self._deliver_one(delivering, announcement, row)
        return await self._finish(delivering, announcement)

    async def resume(self) -> int:
        """The scheduled job: deliver the announcements a dead process left unfinished (and
        not being delivered here); how many were taken up."""
        if self._delivering is None:
            return 0
        unfinished = await Announcement.filter(finished_at=None).values_list("id", flat=True)
        taken = 0
        for announcement_id in unfinished:
            if self._tasks.running(_task_name(announcement_id)):
                continue
            log.info("announcement resumed", extra={"announcement_id": announcement_id})
            await self.deliver(announcement_id)
            taken += 1
        return taken

    async def _untried(self, announcement_id: int, *, after: int) -> list[NoticeDelivery]:
        return (
            await NoticeDelivery.filter(
                announcement_id=announcement_id, tried_at=None, id__gt=after
            )
            .order_by("id")
            .limit(_BATCH)
        )

    async def _deliver_one(
        self, delivering: NoticeDelivering, announcement: Announcement, row: NoticeDelivery
    ) -> None:
        await delivering.pace()
        # The claim is committed before the send: another process resuming the same
        # announcement skips this row, and a crash after it never sends it twice (the notice
        # may have gone out, as with the dispatcher's ambiguous deliveries).
        claimed = await NoticeDelivery.filter(id=row.id, tried_at=None).update(
            tried_at=self._clock()
        )
        if not claimed:
            return
        # Still an addressee? A member may have turned promotions off, or deleted the account,
        # since the announcement was written.
        member = await Member.filter(audience(announcement.kind), id=row.member_id).first()
        if member is None:
            return
        chats = await delivering.send(member, announcement.kind, announcement.text)
        if chats:
            await NoticeDelivery.filter(id=row.id).update(chats=chats, delivered_at=self._clock())

    async def _finish(self, delivering: NoticeDelivering, announcement: Announcement) -> Reach:
        reach = await self.reach(announcement.id)
        if not reach.done:
            return reach
        # Conditional, so that of two processes finishing together only one tells the operators.
        now = self._clock()
        if await Announcement.filter(id=announcement.id, finished_at=None).update(finished_at=now):
            announcement.finished_at = now
            log.info(
                "announcement delivered",
                extra={"announcement_id": announcement.id, "reached": reach.reached},
            )
            await delivering.finished(announcement, reach)
        return reach

    async def reach(self, announcement_id: int) -> Reach:
        """Addressed, reached and tried members of one announcement."""
        rows = NoticeDelivery.filter(announcement_id=announcement_id)
        return Reach(
            addressed=await rows.count(),
            reached=await rows.filter(delivered_at__isnull=False).count(),
            tried=await rows.filter(tried_at__isnull=False).count(),
        )

    async def recent(self, *, limit: int = 10) -> list[tuple[Announcement, Reach]]:
        """The newest announcements with how far each got."""
        latest = await Announcement.all().order_by("-created_at", "-id").limit(limit)
        return [(announcement, await self.reach(announcement.id)) for announcement in latest]

    async def get(self, announcement_id: int) -> Announcement | None:
        """One announcement, or None."""
        return await Announcement.get_or_none(id=announcement_id)

    async def record_csv(self, announcement_id: int) -> bytes:
        """Who got the announcement and when (UTC), one member a row: for a breach notice, the
        record of the notification. Plain numbers and times: nothing to neutralise for
        spreadsheets."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["member_id", "delivered_at_utc", "chats"])
        rows = NoticeDelivery.filter(announcement_id=announcement_id).order_by("member_id")
        for row in await rows:
            delivered = row.delivered_at.astimezone(UTC).isoformat() if row.delivered_at else ""
            writer.writerow([row.member_id, delivered, row.chats])
        return buffer.getvalue().encode("utf-8-sig")

    async def set_promotions(self, member: Member, *, wanted: bool) -> None:
        """Whether the member takes promotional notices (service and breach ones reach them
        whatever this says)."""
        member.promotions = wanted
        await member.save(update_fields=["promotions"])


def _task_name(announcement_id: int) -> str:
    return f"announcement-{announcement_id}"
