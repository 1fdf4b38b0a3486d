"""/admin's review queue: the campaigns held by screening or by their rates, each opened,
approved or rejected with a reason the member reads.

Every route is Access.OPERATOR (the dispatcher checks the sender on every event), and every
campaign id from a payload is looked up again and decided only while it is still held.
Opening a campaign's content and every decision are written to the audit log.
"""

from __future__ import annotations

from bot.conversation import Access, Button, Context, Keyboard, Router
from bot.i18n import I18n
from bot.notify import MemberNotifier, OperatorNotifier
from bot.services.audit import operator_name
from bot.services.campaigns.autopause import OnHold
from bot.services.campaigns.states import TransitionError
from handlers import texts
from handlers.campaign_texts import status_label
from handlers.review_texts import (
    decision_for_member,
    finding_lines,
    held_for_member,
    hold_reason_label,
    queue_button,
    waiting_for_operators,
)
from handlers.states import OperatorDialog
from models import Campaign, CampaignStatus, Member

router = Router("admin_review")
SHOWN = 10
MAX_REASON = 500
_AUDIT_REASON = "review queue"


def _campaign_id(data: str | None, prefix: str) -> int:
    raw = (data or "").removeprefix(prefix)
    return int(raw) if raw.isdigit() else 0


def _operator(ctx: Context) -> str:
    return operator_name(ctx.event.platform, ctx.event.user_id)


async def _held(ctx: Context, prefix: str) -> Campaign | None:
    """The campaign the button names while it is held; else None, after saying why."""
    campaign_id = _campaign_id(ctx.event.data, prefix)
    campaign = await ctx.services.reviews.held(campaign_id)
    if campaign is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return None
    if campaign.status is not CampaignStatus.REVIEW:
        await _no_longer_held(ctx, campaign.id, campaign.status)
        return None
    return campaign


async def _no_longer_held(ctx: Context, campaign_id: int, status: CampaignStatus | None) -> None:
    await ctx.reply.send(
        ctx.t.gettext(
            "Campaign #{id} no longer waits for review: it is {status}. Nothing was changed."
        ).format(id=campaign_id, status=status_label(ctx.t, status or CampaignStatus.CANCELLED)),
        buttons=queue_button(ctx.t),
    )


@router.button("adm:review", access=Access.OPERATOR)
async def show_queue(ctx: Context) -> None:
    """The held campaigns, the longest waiting first."""
    await ctx.state.clear()
    _ = ctx.t.gettext
    held, total = await ctx.services.reviews.queue(limit=SHOWN)
    if not held:
        await ctx.reply.send(_("No campaign waits for review."))
        return
    lines = [_("Campaigns waiting for review: {count}").format(count=ctx.t.number(total))]
    for campaign in held:
        lines.append(
            "• "
            + _("#{id} of member {member}: {reason}, since {time}").format(
                id=campaign.id,
                member=campaign.member_id,  # type: ignore[attr-defined]
                reason=hold_reason_label(ctx.t, campaign),
                time=ctx.t.datetime(campaign.updated_at),
            )
        )
    buttons = [
        [Button(f"#{campaign.id} {campaign.name}"[:30], f"adm:rv:open:{campaign.id}")]
        for campaign in held
    ]
    await ctx.reply.send("\n".join(lines), buttons=buttons)


@router.button("adm:rv:open:", access=Access.OPERATOR)
async def open_held(ctx: Context) -> None:
    """A held campaign's findings, audience and text (its opening is audited)."""
    campaign = await _held(ctx, "adm:rv:open:")
    if campaign is None:
        return
    await ctx.services.audit.record(
        operator=_operator(ctx),
        member_id=campaign.member_id,  # type: ignore[attr-defined]
        action="view_campaign",
        subject=f"campaign:{campaign.id}",
        reason=_AUDIT_REASON,
    )
    _ = ctx.t.gettext
    reviews = ctx.services.reviews
    lines = [
        _('Campaign #{id} "{name}" of member {member}').format(
            id=campaign.id, name=campaign.name, member=campaign.member_id
        ),
        _("Held: {reason}, since {time}").format(
            reason=hold_reason_label(ctx.t, campaign), time=ctx.t.datetime(campaign.updated_at)
        ),
        _("Recipients: {count}").format(count=ctx.t.number(await reviews.audience_size(campaign))),
    ]
    if campaign.started_at is None and campaign.scheduled_at is not None:
        lines.append(_("Scheduled for {time}").format(time=ctx.t.datetime(campaign.scheduled_at)))
    if campaign.started_at is not None:
        report = await ctx.services.campaigns.report(campaign)
        lines.append(
            _("Sent so far: {sent}; failed: {failed}; still to send: {remaining}").format(
                sent=ctx.t.number(report.sent),
                failed=ctx.t.number(report.by_status["failed"]),
                remaining=ctx.t.number(report.remaining),
            )
        )
    lines += [_("Found:"), *finding_lines(ctx.t, campaign)]
    if campaign.image_id is not None:  # type: ignore[attr-defined]
        lines.append(_("It carries a picture above the text."))
    lines += ["", _("The message:"), campaign.text]
    buttons: Keyboard = [
        [
            Button(_("Approve"), f"adm:rv:ok:{campaign.id}"),
            Button(_("Reject"), f"adm:rv:no:{campaign.id}"),
        ],
        *queue_button(ctx.t),
    ]
    await ctx.reply.send("\n".join(lines), buttons=buttons)


@router.button("adm:rv:ok:", access=Access.OPERATOR)
async def approve(ctx: Context) -> None:
    """It goes on: starts, is scheduled, or sends what it has left; its member is told."""
    campaign = await _held(ctx, "adm:rv:ok:")
    if campaign is None:
        return
    try:
        approved = await ctx.services.reviews.approve(campaign)
    except TransitionError as error:
        if error.current is CampaignStatus.REVIEW:
            # Still held, yet it may not send: its member is suspended (or deleted) meanwhile.
            await ctx.reply.send(
                ctx.t.gettext(
                    "Campaign #{id} stays held: its member's account may not send now "
                    "(suspended or deleted). Nothing was changed."
                ).format(id=campaign.id),
                buttons=queue_button(ctx.t),
            )
            return
        await _no_longer_held(ctx, campaign.id, error.current)
        return
    await _decided(ctx, approved, "approve_campaign", _AUDIT_REASON)
    await ctx.reply.send(
        ctx.t.gettext("Approved #{id}: it is {status} now; its member was told.").format(
            id=approved.id, status=status_label(ctx.t, approved.status)
        ),
        buttons=queue_button(ctx.t),
    )


@router.button("adm:rv:no:", access=Access.OPERATOR)
async def ask_reason(ctx: Context) -> None:
    """Ask why: the member reads the reason."""
    campaign = await _held(ctx, "adm:rv:no:")
    if campaign is None:
        return
    await ctx.state.set_state(OperatorDialog.reject_reason)
    await ctx.state.set_data({"campaign_id": campaign.id})
    _ = ctx.t.gettext
    await ctx.reply.send(
        _("Why is #{id} rejected? Type the reason: its member will read it.").format(
            id=campaign.id
        ),
        buttons=[[Button(_("Cancel"), "adm:rv:cancel")]],
    )


@router.text(state=OperatorDialog.reject_reason.state, access=Access.OPERATOR)
async def reject(ctx: Context) -> None:
    """Reject with the typed reason: back to the member's drafts, or stopped if it had sent."""
    _ = ctx.t.gettext
    reason = ctx.event.text.strip()
    if not reason or len(reason) > MAX_REASON:
        await ctx.reply.send(
            _("Type a reason of at most {limit} characters.").format(limit=MAX_REASON),
            buttons=[[Button(_("Cancel"), "adm:rv:cancel")]],
        )
        return
    campaign_id = int((await ctx.state.get_data()).get("campaign_id", 0))
    await ctx.state.clear()
    campaign = await ctx.services.reviews.held(campaign_id)
    if campaign is None:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    try:
        rejected = await ctx.services.reviews.reject(campaign, reason)
    except TransitionError as error:
        await _no_longer_held(ctx, campaign.id, error.current)
        return
    await _decided(ctx, rejected, "reject_campaign", reason)
    await ctx.reply.send(
        _("Rejected #{id}: it is {status} now; its member was told why.").format(
            id=rejected.id, status=status_label(ctx.t, rejected.status)
        ),
        buttons=queue_button(ctx.t),
    )


async def _decided(ctx: Context, campaign: Campaign, action: str, reason: str) -> None:
    """A decision taken: into the audit log, and to the campaign's member."""
    await ctx.services.audit.record(
        operator=_operator(ctx),
        member_id=campaign.member_id,  # type: ignore[attr-defined]
        action=action,
        subject=f"campaign:{campaign.id}",
        reason=reason,
    )
    await _tell_member(ctx, campaign)


@router.button("adm:rv:cancel", access=Access.OPERATOR)
async def cancel_reason(ctx: Context) -> None:
    """Leave the rejection: nothing changes."""
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Nothing was changed."), buttons=queue_button(ctx.t))


async def _tell_member(ctx: Context, campaign: Campaign) -> None:
    member = await Member.get(id=campaign.member_id)  # type: ignore[attr-defined]
    t = ctx.i18n.translator(member.locale, member.timezone)
    await ctx.outbox.members.send(member.id, decision_for_member(t, campaign))


def campaign_held(i18n: I18n, members: MemberNotifier, operators: OperatorNotifier) -> OnHold:
    """How a campaign held while sending (its rates) is told: its member on each of their
    chats, and the operators with a button to the queue."""

    async def tell(campaign: Campaign) -> None:
        member = await Member.get(id=campaign.member_id)  # type: ignore[attr-defined]
        t = i18n.translator(member.locale, member.timezone)
        await members.send(member.id, held_for_member(t, campaign))
        await operators.send(lambda t: waiting_for_operators(t, campaign), buttons=queue_button)

    return tell
