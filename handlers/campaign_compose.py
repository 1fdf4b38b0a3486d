"""/new: a campaign's name, audience, message, picture and channels, step by step.

WhatsApp's template follows in handlers/campaign_whatsapp.py; the schedule, the summary and
the launch in handlers/campaigns.py.
"""

from __future__ import annotations

from bot.conversation import Button, Context, EventKind, Router
from bot.services.campaigns.images import (
    MAX_CAPTION,
    MAX_IMAGE_BYTES,
    ImageProblem,
    ImageRefusedError,
)
from bot.services.campaigns.placeholders import MessageTemplate, PlaceholderError
from bot.services.lists import ListNotFoundError
from bot.services.lists.service import clean_name
from handlers import texts
from handlers.campaign_texts import (
    CHANNEL_NAMES,
    channel_names,
    image_problem,
    placeholder_problem,
)
from handlers.campaign_whatsapp import ask_template
from handlers.campaigns import ask_schedule, cancel_row, draft_from
from handlers.states import CampaignDialog
from models import Channel, Platform

router = Router("campaign_compose")
D = CampaignDialog

MAX_NAME = 128  # Campaign.name
MAX_TAG = 64  # Campaign.tag
SHOWN_LISTS = 10  # LINE shows at most 13 quick replies: the lists, Done and Cancel
_CHANNEL_ORDER = (Channel.TELEGRAM, Channel.LINE, Channel.WHATSAPP)


@router.command("new")
async def start(ctx: Context) -> None:
    """Begin a campaign: first its name."""
    member = ctx.require_member()
    await ctx.state.clear()
    _ = ctx.t.gettext
    if not ctx.services.campaigns.enabled:
        await ctx.reply.send(_("No sending channel is set up yet, so campaigns cannot go out."))
        return
    if not await ctx.services.lists.live(member):
        await ctx.reply.send(
            _("You have no lists yet. Send me a CSV, Excel or vCard file to create one.")
        )
        return
    await ctx.state.set_state(D.name)
    await ctx.reply.send(
        _("New campaign. What should it be called? Only you see the name."),
        buttons=[cancel_row(ctx.t)],
    )


@router.text(state=D.name.state)
async def set_name(ctx: Context) -> None:
    """Keep the name; then the audience."""
    name = clean_name(ctx.event.text)[:MAX_NAME]
    if not name:
        await ctx.reply.send(ctx.t.gettext("Send a name for the campaign."))
        return
    await ctx.state.update_data(name=name, list_ids=[])
    await ctx.state.set_state(D.lists)
    await _ask_lists(ctx)


async def _ask_lists(ctx: Context) -> None:
    lists = await ctx.services.lists.live(ctx.require_member())
    chosen = set((await ctx.state.get_data()).get("list_ids", []))
    _ = ctx.t.gettext
    buttons = [
        [Button(("✓ " if item.id in chosen else "") + item.name[:28], f"new:list:{item.id}")]
        for item in lists[:SHOWN_LISTS]
    ]
    if chosen:
        buttons.append([Button(_("Done"), "new:lists_done")])
    buttons.append(cancel_row(ctx.t))
    await ctx.reply.send(_("Who should get it? Tap one or more lists, then Done."), buttons=buttons)


@router.button("new:list:", state=D.lists.state)
async def toggle_list(ctx: Context) -> None:
    """Add a list to the audience, or take it off; it must be the member's own."""
    raw = (ctx.event.data or "").removeprefix("new:list:")
    try:
        contact_list = await ctx.services.lists.get(
            ctx.require_member(), int(raw) if raw.isdigit() else 0
        )
    except ListNotFoundError:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    chosen: list[int] = list((await ctx.state.get_data()).get("list_ids", []))
    if contact_list.id in chosen:
        chosen.remove(contact_list.id)
    else:
        chosen.append(contact_list.id)
    await ctx.state.update_data(list_ids=chosen)
    await _ask_lists(ctx)


@router.button("new:lists_done", state=D.lists.state)
async def lists_done(ctx: Context) -> None:
    """The lists are chosen: optionally narrow them to a tag."""
    if not (await ctx.state.get_data()).get("list_ids"):
        await _ask_lists(ctx)
        return
    _ = ctx.t.gettext
    await ctx.state.set_state(D.tag)
    await ctx.reply.send(
        _("Only contacts with a certain tag? Send the tag, or tap Everyone."),
        buttons=[[Button(_("Everyone"), "new:tag:none")], cancel_row(ctx.t)],
    )


@router.button("new:tag:none", state=D.tag.state)
async def everyone(ctx: Context) -> None:
    """No tag: everyone on the lists."""
    await ctx.state.update_data(tag=None)
    await _ask_text(ctx)


@router.text(state=D.tag.state)
async def set_tag(ctx: Context) -> None:
    """Only contacts with this tag."""
    tag = clean_name(ctx.event.text).lstrip("#").strip()[:MAX_TAG]
    await ctx.state.update_data(tag=tag or None)
    await _ask_text(ctx)


async def _ask_text(ctx: Context) -> None:
    await ctx.state.set_state(D.text)
    await ctx.reply.send(
        ctx.t.gettext(
            "Now send the message. Placeholders put in each recipient's details: {first_name}, "
            "{last_name}, {full_name}, {phone}, or any column you imported. A fallback after | "
            "is used for people without one, like: Hi {first_name|there}!"
        ),
        buttons=[cancel_row(ctx.t)],
    )


@router.text(state=D.text.state)
async def set_text(ctx: Context) -> None:
    """Check the placeholders, show the message for the first recipient, ask the channels."""
    text = ctx.event.text
    try:
        MessageTemplate.parse(text)
    except PlaceholderError as error:
        await ctx.reply.send(placeholder_problem(ctx.t, error, text), buttons=[cancel_row(ctx.t)])
        return
    if not text.strip():
        await _ask_text(ctx)
        return
    await ctx.state.update_data(text=text, image_id=None, channels=[])
    draft = draft_from(await ctx.state.get_data())
    preview = await ctx.services.campaigns.preview(ctx.require_member(), draft)
    await ctx.reply.send(ctx.t.gettext("The first recipient will get:") + "\n\n" + preview)
    await _ask_image(ctx)


async def _ask_image(ctx: Context) -> None:
    _ = ctx.t.gettext
    await ctx.state.set_state(D.image)
    await ctx.reply.send(
        _(
            "A picture above the text? Send a photo (JPEG or PNG, up to {size} MB), "
            "or tap No picture."
        ).format(size=ctx.t.number(MAX_IMAGE_BYTES // 2**20)),
        buttons=[[Button(_("No picture"), "new:img:none")], cancel_row(ctx.t)],
    )


@router.button("new:img:none", state=D.image.state)
async def no_image(ctx: Context) -> None:
    """Text only."""
    await ctx.state.update_data(image_id=None)
    await _channels(ctx)


@router.text(state=D.image.state)
async def image_expected(ctx: Context) -> None:
    """Text where a picture was asked for: ask again (the message was given already)."""
    await _ask_image(ctx)


@router.image(state=D.image.state)
@router.file(state=D.image.state)
async def set_image(ctx: Context) -> None:
    """Keep the picture, sent as a photo or as a file, if every channel can carry it."""
    file = ctx.event.file
    if file is None:  # pragma: no cover - image and file events carry their file
        return
    _ = ctx.t.gettext
    buttons = [[Button(_("No picture"), "new:img:none")], cancel_row(ctx.t)]
    text = (await ctx.state.get_data()).get("text", "")
    if len(text) > MAX_CAPTION:
        await ctx.reply.send(
            _(
                "With a picture the text can have at most {count} characters (Telegram's limit "
                "for captions); yours has {length}. Tap No picture, or start again with /new."
            ).format(count=ctx.t.number(MAX_CAPTION), length=ctx.t.number(len(text))),
            buttons=buttons,
        )
        return
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        await ctx.reply.send(image_problem(ctx.t, ImageProblem.TOO_LARGE), buttons=buttons)
        return
    # Telegram lets the bot send a photo again by its file id; a document's id is not a photo's.
    reusable = ctx.event.platform is Platform.TELEGRAM and ctx.event.kind is EventKind.IMAGE
    try:
        image = await ctx.services.images.accept(
            ctx.require_member(),
            await ctx.reply.download(file),
            telegram_file_id=file.file_id if reusable else None,
        )
    except ImageRefusedError as error:
        await ctx.reply.send(image_problem(ctx.t, error.problem), buttons=buttons)
        return
    await ctx.state.update_data(image_id=image.id)
    await ctx.reply.send(_("Picture added."))
    await _channels(ctx)


async def _channels(ctx: Context) -> None:
    await ctx.state.set_state(D.channels)
    await _ask_channels(ctx)


async def _ask_channels(ctx: Context) -> None:
    chosen: list[str] = (await ctx.state.get_data()).get("channels", [])
    enabled = ctx.services.campaigns.enabled
    _ = ctx.t.gettext
    lines = [
        _(
            "Which channels, in order of preference? Each recipient gets the message on the "
            "first one that reaches them. Tap them in order, then Done."
        )
    ]
    if chosen:
        lines.append(_("Chosen: {channels}").format(channels=channel_names(chosen)))
    buttons = [
        [Button(CHANNEL_NAMES[channel], f"new:ch:{channel.value}")]
        for channel in _CHANNEL_ORDER
        if channel in enabled and channel.value not in chosen
    ]
    if chosen:
        buttons.append([Button(_("Done"), "new:ch_done")])
        buttons.append([Button(_("Start over"), "new:ch_reset")])
    buttons.append(cancel_row(ctx.t))
    await ctx.reply.send("\n".join(lines), buttons=buttons)


@router.button("new:ch:", state=D.channels.state)
async def add_channel(ctx: Context) -> None:
    """The next channel in the member's order; only the ones configured here."""
    value = (ctx.event.data or "").removeprefix("new:ch:")
    chosen: list[str] = list((await ctx.state.get_data()).get("channels", []))
    enabled = {channel.value for channel in ctx.services.campaigns.enabled}
    if value not in enabled or value in chosen:
        await ctx.reply.send(texts.stale_button(ctx.t))
        return
    await ctx.state.update_data(channels=[*chosen, value])
    await _ask_channels(ctx)


@router.button("new:ch_reset", state=D.channels.state)
async def reset_channels(ctx: Context) -> None:
    """Choose the order again."""
    await ctx.state.update_data(channels=[])
    await _ask_channels(ctx)


@router.button("new:ch_done", state=D.channels.state)
async def channels_done(ctx: Context) -> None:
    """WhatsApp's template next if WhatsApp is among them; otherwise the schedule."""
    chosen: list[str] = (await ctx.state.get_data()).get("channels", [])
    if not chosen:
        await _ask_channels(ctx)
        return
    if Channel.WHATSAPP.value not in chosen:
        await ctx.state.update_data(wa_template=None, wa_language=None, wa_params=[])
        await ask_schedule(ctx)
        return
    await ask_template(ctx)
