"""/campaigns: each campaign with its status and actions; the progress message and the report.

Every button carries a campaign id, and every handler resolves it through CampaignService
with the member asking, so a payload naming someone else's campaign finds nothing and is
refused. Which actions a card offers follows the table of allowed transitions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.charts import ChartDrawer, ChartError
from bot.conversation import Button, Context, Keyboard, Router
from bot.conversation.responder import Responder, SentRef
from bot.i18n import I18n, Translator
from bot.notify import MemberNotifier
from bot.services.campaigns.progress import Tally
from bot.services.campaigns.service import UnwatchedReport
from bot.services.campaigns.states import TransitionError, can_change
from handlers import texts
from handlers.campaign_texts import (
    campaign_line,
    chart_bars,
    progress_text,
    report_text,
    status_label,
)
from handlers.review_texts import finding_lines
from models import Campaign, CampaignStatus, Member

log = logging.getLogger(__name__)

router = Router("campaign_manage")
S = CampaignStatus
SHOWN_CAMPAIGNS = 10
# Statuses from which "retry failed" may send again (a running campaign is still at it).
RETRYABLE = frozenset({S.FINISHED, S.FAILED})


def _campaign_id(data: str | None, prefix: str) -> int:
    raw = (data or "").removeprefix(prefix)
    return int(raw) if raw.isdigit() else 0


async def owned_campaign(ctx: Context, prefix: str) -> Campaign | None:
    """The member's campaign named by the button, or None after saying the button is stale."""
    campaign_id = _campaign_id(ctx.event.data, prefix)
    campaign = await ctx.services.campaigns.get(ctx.require_member(), campaign_id)
    if campaign is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
    return campaign


def _control_buttons(t: Translator, campaign_id: int, status: CampaignStatus) -> Keyboard:
    """Pause or resume, and cancel, as the transition table allows them."""
    _ = t.gettext
    row = []
    if can_change(status, S.PAUSED):
        row.append(Button(_("Pause"), f"cmp:pause:{campaign_id}"))
    if status is S.PAUSED and can_change(status, S.RUNNING):
        row.append(Button(_("Resume"), f"cmp:resume:{campaign_id}"))
    if can_change(status, S.CANCELLED):
        row.append(Button(_("Cancel campaign"), f"cmp:cancel:{campaign_id}"))
    return [row] if row else []


def _result_buttons(t: Translator, campaign: Campaign, tally: Tally) -> Keyboard:
    """Export, retry failed (when there is something to retry) and duplicate."""
    _ = t.gettext
    rows = [[Button(_("Export results (CSV)"), f"cmp:csv:{campaign.id}")]]
    if tally.failed and tally.status in RETRYABLE:
        rows.append([Button(_("Retry failed"), f"cmp:retry:{campaign.id}")])
    rows.append([Button(_("Duplicate"), f"cmp:dup:{campaign.id}")])
    return rows


async def send_report(
    reply: Responder, t: Translator, campaign: Campaign, tally: Tally, charts: ChartDrawer
) -> None:
    """The chart, then the report with its buttons (last, where LINE shows quick replies).
    A chart that cannot be drawn is logged and left out: the report is what the member needs."""
    title = t.gettext('"{name}"').format(name=campaign.name)
    try:
        chart = await charts.bar_chart(title, chart_bars(t, tally))
    except ChartError:
        log.exception("report chart not drawn", extra={"campaign": campaign.id})
    else:
        await reply.send_image(f"report-{campaign.id}.png", chart)
    await reply.send(report_text(t, campaign, tally), buttons=_result_buttons(t, campaign, tally))


def worth_reporting(tally: Tally) -> bool:
    """A campaign cancelled before it sent anything ends without news."""
    return bool(tally.total) or tally.status is not S.CANCELLED


def unwatched_report(i18n: I18n, notifier: MemberNotifier, charts: ChartDrawer) -> UnwatchedReport:
    """How a worker reports a campaign that ended while no chat watched it: the chart and the
    report, with its buttons, on each of the member's chats."""

    async def report(member: Member, campaign: Campaign, tally: Tally) -> None:
        if not worth_reporting(tally):
            return
        t = i18n.translator(member.locale, member.timezone)
        await notifier.reach(
            member.id, lambda responder: send_report(responder, t, campaign, tally, charts)
        )

    return report


class _ProgressMessage:
    """One message edited as the campaign goes (where the platform edits), then the report."""

    def __init__(
        self,
        reply: Responder,
        t: Translator,
        campaign: Campaign,
        claim: Callable[[int], Awaitable[bool]],
        charts: ChartDrawer,
    ) -> None:
        """`claim`: whether this chat sends the report (a worker may have, see
        CampaignService.report_ended)."""
        self._reply = reply
        self._t = t
        self._campaign = campaign
        self._claim = claim
        self._charts = charts
        self._ref: SentRef | None = None
        self._shown = False
        # The watcher may report before the first message is out; it waits for it.
        self._ready = asyncio.Event()

    async def begin(self) -> None:
        await self.update(None)

    def skip_begin(self) -> None:
        self._ready.set()

    async def update(self, tally: Tally | None) -> None:
        if tally is not None:
            await self._ready.wait()
        status = tally.status if tally is not None else S.RUNNING
        text = progress_text(self._t, self._campaign.name, tally)
        buttons = _control_buttons(self._t, self._campaign.id, status)
        if not self._shown:
            self._shown = True
            self._ref = await self._reply.send(text, buttons=buttons)
            self._ready.set()
        elif self._ref is not None:
            await self._reply.edit(self._ref, text, buttons=buttons)

    async def finish(self, tally: Tally) -> None:
        await self._ready.wait()
        if self._ref is not None:
            await self._reply.edit(self._ref, progress_text(self._t, self._campaign.name, tally))
        if worth_reporting(tally) and await self._claim(self._campaign.id):
            await send_report(self._reply, self._t, self._campaign, tally, self._charts)


async def follow(ctx: Context, campaign: Campaign) -> None:
    """Show the campaign's progress in this chat until it ends, then its report.

    A campaign already followed in this process keeps its own progress message.
    """
    services = ctx.services
    watcher = _ProgressMessage(
        ctx.reply.detached(), ctx.t, campaign, services.campaigns.claim_report, services.charts
    )
    started = services.campaigns.watch(
        campaign, on_progress=watcher.update, on_finish=watcher.finish
    )
    if not started:
        return
    if campaign.status is S.REVIEW:
        watcher.skip_begin()  # held: the progress comes here once an operator approves it
        return
    if campaign.status is S.SCHEDULED and campaign.scheduled_at is not None:
        watcher.skip_begin()  # the first progress message comes when sending starts
        await ctx.reply.send(
            ctx.t.gettext(
                "Scheduled for {time}. I'll show the progress here when it starts; "
                "/campaigns to pause or cancel it."
            ).format(time=ctx.t.datetime(campaign.scheduled_at))
        )
        return
    await watcher.begin()


@router.command("campaigns")
async def show_campaigns(ctx: Context) -> None:
    """The member's latest campaigns with their status; a button each opens its card."""
    await ctx.state.clear()
    await _campaign_page(ctx, 0)


@router.button("cmp:page:")
async def older_campaigns(ctx: Context) -> None:
    """The next page of older campaigns ("cmp:page:<how many newer ones to skip>")."""
    offset = (ctx.event.data or "").removeprefix("cmp:page:")
    if not offset.isdigit():
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _campaign_page(ctx, int(offset))


async def _campaign_page(ctx: Context, offset: int) -> None:
    # One more than shown: whether an "Older" button is worth offering.
    page = await ctx.services.campaigns.recent(
        ctx.require_member(), limit=SHOWN_CAMPAIGNS + 1, offset=offset
    )
    _ = ctx.t.gettext
    if not page:
        if offset:
            await ctx.reply.send(_("No older campaigns."))
        else:
            await ctx.reply.send(_("You have no campaigns yet. Send /new to compose one."))
        return
    shown = page[:SHOWN_CAMPAIGNS]
    title = _("Older campaigns:") if offset else _("Your campaigns:")
    lines = [title] + ["• " + campaign_line(ctx.t, item) for item in shown]
    buttons = [[Button(item.name[:30], f"cmp:open:{item.id}")] for item in shown]
    if len(page) > SHOWN_CAMPAIGNS:
        buttons.append([Button(_("Older campaigns"), f"cmp:page:{offset + SHOWN_CAMPAIGNS}")])
    await ctx.reply.send("\n".join(lines), buttons=buttons)


async def show_card(ctx: Context, campaign: Campaign) -> None:
    """One campaign: its status, where it stands, and what can be done with it."""
    _ = ctx.t.gettext
    tally = await ctx.services.campaigns.tally(campaign)
    status = tally.status if tally is not None else campaign.status
    lines = [campaign_line(ctx.t, campaign)]
    if status is S.REVIEW and (found := finding_lines(ctx.t, campaign)):
        lines.append("\n".join(found))
    buttons = list(_control_buttons(ctx.t, campaign.id, status))
    if status is S.DRAFT:
        buttons.append([Button(_("Continue"), f"cmp:edit:{campaign.id}")])
    if tally is not None and status not in (S.DRAFT, S.SCHEDULED):
        lines.append(progress_text(ctx.t, campaign.name, tally))
        buttons.append([Button(_("Report"), f"cmp:report:{campaign.id}")])
        if tally.failed and status in RETRYABLE:
            buttons.append([Button(_("Retry failed"), f"cmp:retry:{campaign.id}")])
    buttons.append([Button(_("Duplicate"), f"cmp:dup:{campaign.id}")])
    await ctx.reply.send("\n\n".join(lines), buttons=buttons)


@router.button("cmp:open:")
async def open_campaign(ctx: Context) -> None:
    """A campaign's card."""
    campaign = await owned_campaign(ctx, "cmp:open:")
    if campaign is not None:
        await show_card(ctx, campaign)


async def _change(ctx: Context, campaign: Campaign, wanted: CampaignStatus) -> Campaign | None:
    """Pause, resume or cancel; a change the campaign's status forbids is explained."""
    service = ctx.services.campaigns
    change = {S.PAUSED: service.pause, S.RUNNING: service.resume, S.CANCELLED: service.cancel}
    try:
        return await change[wanted](campaign)
    except TransitionError as error:
        current = error.current or campaign.status
        await ctx.reply.send(
            ctx.t.gettext('"{name}" is {status}: that is not possible now.').format(
                name=campaign.name, status=status_label(ctx.t, current)
            )
        )
        return None


@router.button("cmp:pause:")
async def pause(ctx: Context) -> None:
    """Stop sending until resumed."""
    campaign = await owned_campaign(ctx, "cmp:pause:")
    if campaign is not None and (paused := await _change(ctx, campaign, S.PAUSED)):
        await ctx.reply.send(
            ctx.t.gettext('Paused "{name}". Nothing more goes out until you resume it.').format(
                name=paused.name
            ),
            buttons=_control_buttons(ctx.t, paused.id, paused.status),
        )


@router.button("cmp:resume:")
async def resume(ctx: Context) -> None:
    """Send the rest."""
    campaign = await owned_campaign(ctx, "cmp:resume:")
    if campaign is not None and (resumed := await _change(ctx, campaign, S.RUNNING)):
        await ctx.reply.send(
            ctx.t.gettext('Resumed "{name}".').format(name=resumed.name),
            buttons=_control_buttons(ctx.t, resumed.id, resumed.status),
        )
        await follow(ctx, resumed)


@router.button("cmp:cancel:")
async def confirm_cancel(ctx: Context) -> None:
    """Ask before cancelling: it cannot be undone."""
    campaign = await owned_campaign(ctx, "cmp:cancel:")
    if campaign is None:
        return
    _ = ctx.t.gettext
    await ctx.reply.send(
        _('Cancel "{name}"? What has not been sent yet never will be.').format(name=campaign.name),
        buttons=[[Button(_("Yes, cancel it"), f"cmp:cancelok:{campaign.id}")]],
    )


@router.button("cmp:cancelok:")
async def cancel(ctx: Context) -> None:
    """Stop for good."""
    campaign = await owned_campaign(ctx, "cmp:cancelok:")
    if campaign is not None and (cancelled := await _change(ctx, campaign, S.CANCELLED)):
        await ctx.reply.send(ctx.t.gettext('Cancelled "{name}".').format(name=cancelled.name))


@router.button("cmp:report:")
async def report(ctx: Context) -> None:
    """The report with its chart, as it stands now."""
    campaign = await owned_campaign(ctx, "cmp:report:")
    tally = await ctx.services.campaigns.tally(campaign) if campaign is not None else None
    if campaign is not None and tally is not None:
        await send_report(ctx.reply, ctx.t, campaign, tally, ctx.services.charts)


@router.button("cmp:csv:")
async def export_results(ctx: Context) -> None:
    """Every recipient's result as CSV (a download link on LINE)."""
    campaign = await owned_campaign(ctx, "cmp:csv:")
    if campaign is None:
        return
    content = await ctx.services.campaigns.results_csv(campaign)
    name = f"{texts.file_stem(campaign.name)}-results.csv"
    await ctx.reply.send_document(name, content, caption=campaign.name)


@router.button("cmp:retry:")
async def retry_failed(ctx: Context) -> None:
    """Send the failed deliveries again and follow the campaign once more."""
    campaign = await owned_campaign(ctx, "cmp:retry:")
    if campaign is None:
        return
    _ = ctx.t.gettext
    if campaign.status not in RETRYABLE:
        await ctx.reply.send(
            _('"{name}" is {status}: failed messages can be retried once it has ended.').format(
                name=campaign.name, status=status_label(ctx.t, campaign.status)
            )
        )
        return
    try:
        count = await ctx.services.campaigns.retry_failed(campaign)
    except TransitionError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    if not count:
        await ctx.reply.send(_('Nothing of "{name}" failed.').format(name=campaign.name))
        return
    # Pushed like the progress message after it, so that LINE shows the two in order.
    again = ctx.t.ngettext(
        "Sending {count} failed message again.", "Sending {count} failed messages again.", count
    )
    await ctx.reply.detached().send(again.format(count=ctx.t.number(count)))
    refreshed = await ctx.services.campaigns.get(ctx.require_member(), campaign.id)
    await follow(ctx, refreshed or campaign)
