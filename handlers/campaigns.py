"""The /new dialog's draft and its last steps: schedule, quiet hours, summary, test, launch.

The draft lives in the dialog's data until the member confirms; only then is it saved and
launched. A duplicate (or a draft left unfinished) enters the dialog at the schedule step with
its id, so that confirming launches that draft instead of saving another.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation import Button, Context, Keyboard, Router
from bot.dispatch.quiet import DEFAULT_END, DEFAULT_START
from bot.i18n import Translator
from bot.services.campaigns.service import Draft
from bot.services.campaigns.states import TransitionError
from handlers import texts
from handlers.campaign_manage import follow, owned_campaign
from handlers.campaign_texts import quiet_label, summary_text
from handlers.review_texts import held_for_member, queue_button, waiting_for_operators
from handlers.states import CampaignDialog
from models import Campaign, CampaignStatus, Channel

router = Router("campaigns")
D = CampaignDialog

_MOMENT = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})[ T]+)?(\d{1,2})[:.](\d{2})")
_HOURS = re.compile(r"(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})")


def cancel_row(t: Translator) -> list[Button]:
    """The button that leaves the dialog, under every question of it."""
    return [Button(t.gettext("Cancel"), "new:cancel")]


def draft_from(data: dict[str, Any]) -> Draft:
    """The draft the dialog's data holds."""
    scheduled = data.get("scheduled_at")
    quiet = data.get("quiet")
    return Draft(
        name=data.get("name", ""),
        list_ids=[int(list_id) for list_id in data.get("list_ids", [])],
        text=data.get("text", ""),
        image_id=data.get("image_id"),
        channels=[Channel(name) for name in data.get("channels", [])],
        tag=data.get("tag"),
        whatsapp_template=data.get("wa_template"),
        whatsapp_language=data.get("wa_language"),
        whatsapp_params=list(data.get("wa_params", [])),
        scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
    )


def _data_of(campaign: Campaign) -> dict[str, Any]:
    quiet = None
    if campaign.quiet_start is not None and campaign.quiet_end is not None:
        quiet = [campaign.quiet_start, campaign.quiet_end]
    return {
        "draft_id": campaign.id,
        "name": campaign.name,
        "list_ids": list(campaign.list_ids),
        "tag": campaign.tag,
        "text": campaign.text,
        "image_id": campaign.image_id,
        "channels": list(campaign.channels),
        "wa_template": campaign.whatsapp_template,
        "wa_language": campaign.whatsapp_language,
        "wa_params": list(campaign.whatsapp_params),
        "quiet": quiet,
    }


def parse_moment(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """ "2026-11-24 09:30" (or "09:30", today) as a wall-clock time in `zone`, in UTC."""
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute = match.groups()
    try:
        day_of = date(int(year), int(month), int(day)) if year else now.astimezone(zone).date()
        wall = datetime.combine(day_of, time(int(hour), int(minute)), zone)
    except ValueError:
        return None
    return wall.astimezone(UTC)


def parse_hours(text: str) -> tuple[int, int] | None:
    """ "22:00-07:30" as minutes after midnight; None when it is not two distinct times."""
    match = _HOURS.fullmatch(text.strip())
    if match is None:
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if max(h1, h2) > 23 or max(m1, m2) > 59 or (h1, m1) == (h2, m2):
        return None
    return h1 * 60 + m1, h2 * 60 + m2


async def ask_schedule(ctx: Context) -> None:
    """Now, or a date and time."""
    _ = ctx.t.gettext
    await ctx.state.set_state(D.schedule)
    await ctx.reply.send(
        _("When should it go out?"),
        buttons=[
            [Button(_("Now"), "new:now")],
            [Button(_("At a date and time"), "new:later")],
            cancel_row(ctx.t),
        ],
    )


def _example(ctx: Context) -> str:
    tomorrow = ctx.services.clock().astimezone(ctx.t.timezone).date().toordinal() + 1
    return f"{date.fromordinal(tomorrow).isoformat()} 09:30"


@router.button("new:now", state=D.schedule.state)
async def send_now(ctx: Context) -> None:
    """No schedule: it goes out at the launch."""
    await ctx.state.update_data(scheduled_at=None)
    await _ask_quiet(ctx)


@router.button("new:later", state=D.schedule.state)
async def ask_when(ctx: Context) -> None:
    """Ask for the date and time."""
    await ctx.state.set_state(D.when)
    await ctx.reply.send(
        ctx.t.gettext("Send the date and time in your timezone ({zone}), like {example}.").format(
            zone=ctx.require_member().timezone, example=_example(ctx)
        ),
        buttons=[cancel_row(ctx.t)],
    )


@router.text(state=D.when.state)
async def set_when(ctx: Context) -> None:
    """A time in the member's timezone, which must be in the future."""
    _ = ctx.t.gettext
    now = ctx.services.clock()
    moment = parse_moment(ctx.event.text, ctx.t.timezone, now)
    if moment is None:
        await ctx.reply.send(
            _("I couldn't read that date and time. Send it like {example}.").format(
                example=_example(ctx)
            ),
            buttons=[cancel_row(ctx.t)],
        )
        return
    if moment <= now:
        await ctx.reply.send(
            _("{time} has already passed (it is {now} now). Send a time in the future.").format(
                time=ctx.t.datetime(moment), now=ctx.t.datetime(now)
            ),
            buttons=[cancel_row(ctx.t)],
        )
        return
    await ctx.state.update_data(scheduled_at=moment.isoformat())
    await _ask_quiet(ctx)


async def _ask_quiet(ctx: Context) -> None:
    _ = ctx.t.gettext
    await ctx.state.set_state(D.quiet)
    default = quiet_label(ctx.t, DEFAULT_START, DEFAULT_END)
    await ctx.reply.send(
        _(
            "Quiet hours: during them nobody gets the message, in their own local time; it "
            "waits for the hours to end. Tap an option, or send other hours like 22:00-07:30."
        ),
        buttons=[
            [Button(_("Quiet hours {hours}").format(hours=default), "new:quiet:default")],
            [Button(_("No quiet hours"), "new:quiet:none")],
            cancel_row(ctx.t),
        ],
    )


@router.button("new:quiet:", state=D.quiet.state)
async def choose_quiet(ctx: Context) -> None:
    """The default quiet hours, or none."""
    choice = (ctx.event.data or "").removeprefix("new:quiet:")
    if choice not in ("default", "none"):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    quiet = [DEFAULT_START, DEFAULT_END] if choice == "default" else None
    await ctx.state.update_data(quiet=quiet)
    await show_summary(ctx)


@router.text(state=D.quiet.state)
async def set_quiet(ctx: Context) -> None:
    """Quiet hours of the member's own."""
    hours = parse_hours(ctx.event.text)
    if hours is None:
        await ctx.reply.send(
            ctx.t.gettext(
                "I couldn't read those hours. Send a start and an end, like 22:00-07:30."
            ),
            buttons=[cancel_row(ctx.t)],
        )
        return
    await ctx.state.update_data(quiet=list(hours))
    await show_summary(ctx)


async def show_summary(ctx: Context) -> None:
    """Everything about the campaign with its counts; confirm, send a test, or cancel."""
    member = ctx.require_member()
    draft = draft_from(await ctx.state.get_data())
    campaigns = ctx.services.campaigns
    estimate = await campaigns.estimate(member, draft)
    lists = await ctx.services.lists.live(member)
    chosen = [item.name for item in lists if item.id in draft.list_ids]
    preview = await campaigns.preview(member, draft)
    _ = ctx.t.gettext
    buttons: Keyboard = [
        *([[Button(_("Launch"), "new:go")]] if estimate.total else []),
        [Button(_("Send me a test"), "new:test")],
        cancel_row(ctx.t),
    ]
    await ctx.state.set_state(D.summary)
    await ctx.reply.send(summary_text(ctx.t, draft, chosen, estimate, preview), buttons=buttons)


@router.button("new:test", state=D.summary.state)
async def send_test(ctx: Context) -> None:
    """The message as the first recipient would get it, sent to the member only."""
    member = ctx.require_member()
    draft = draft_from(await ctx.state.get_data())
    text = await ctx.services.campaigns.preview(member, draft)
    label = ctx.t.gettext("Test message (only you got it):")
    image = await ctx.services.images.owned(member, draft.image_id)
    if image is None:
        await ctx.reply.send(label + "\n\n" + text)
        return
    await ctx.reply.send(label)
    extension = "png" if image.mime_type == "image/png" else "jpg"
    await ctx.reply.send_image(
        f"picture.{extension}", image.content, caption=text, preview=image.preview
    )


@router.button("new:go", state=D.summary.state)
async def launch(ctx: Context) -> None:
    """Save (or update the duplicated draft) and launch; then follow it here."""
    member = ctx.require_member()
    data = await ctx.state.get_data()
    draft = draft_from(data)
    campaigns = ctx.services.campaigns
    _ = ctx.t.gettext
    if draft.scheduled_at is not None and draft.scheduled_at <= ctx.services.clock():
        await ctx.reply.send(_("The time you chose has passed meanwhile. Choose it again."))
        await ask_schedule(ctx)
        return
    await ctx.state.clear()
    try:
        if data.get("draft_id") is None:
            campaign = await campaigns.save(member, draft)
        elif (saved := await campaigns.get(member, int(data["draft_id"]))) is not None:
            campaign = await campaigns.update_draft(saved, draft)
        else:
            await ctx.reply.send(texts.stale_button(ctx.t))
            return
        campaign = await campaigns.launch(campaign)
    except TransitionError:
        await ctx.reply.send(
            _("This campaign changed meanwhile and was not launched. See /campaigns.")
        )
        return
    if campaign.status is CampaignStatus.REVIEW:
        await ctx.reply.send(held_for_member(ctx.t, campaign))
        await ctx.outbox.operators.send(
            lambda t: waiting_for_operators(t, campaign), buttons=queue_button
        )
    await follow(ctx, campaign)


async def _enter_draft(ctx: Context, campaign: Campaign, note: str) -> None:
    await ctx.state.clear()
    await ctx.state.set_data(_data_of(campaign))
    await ctx.reply.send(note)
    await ask_schedule(ctx)


@router.button("cmp:dup:")
async def duplicate(ctx: Context) -> None:
    """A new draft like the campaign; the member picks when it goes out."""
    campaign = await owned_campaign(ctx, "cmp:dup:")
    if campaign is None:
        return
    copy = await ctx.services.campaigns.duplicate(campaign)
    note = ctx.t.gettext(
        'Copied "{name}" as a new draft with the same audience, message and channels.'
    ).format(name=copy.name)
    await _enter_draft(ctx, copy, note)


@router.button("cmp:edit:")
async def continue_draft(ctx: Context) -> None:
    """Pick up a draft where its content is complete: the schedule."""
    campaign = await owned_campaign(ctx, "cmp:edit:")
    if campaign is None:
        return
    if campaign.status is not CampaignStatus.DRAFT:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await _enter_draft(
        ctx, campaign, ctx.t.gettext('Continuing "{name}".').format(name=campaign.name)
    )


@router.button("new:cancel")
async def cancel(ctx: Context) -> None:
    """Leave the dialog; nothing was saved or sent."""
    if not (await ctx.state.get_state() or "").startswith(D.__full_group_name__):
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.clear()
    await ctx.reply.send(ctx.t.gettext("Cancelled. Nothing was sent."))


async def _use_buttons(ctx: Context) -> None:
    await ctx.reply.send(
        ctx.t.gettext("Please tap one of the buttons above."), buttons=[cancel_row(ctx.t)]
    )


for _state in (D.lists, D.channels, D.schedule, D.summary):
    router.text(state=_state.state)(_use_buttons)
