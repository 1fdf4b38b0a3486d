"""Translated texts of the campaign dialog, the progress message and the report."""

from __future__ import annotations

from datetime import time, timedelta

from babel.dates import format_time, format_timedelta

from bot.i18n import Translator
from bot.services.campaigns.audience import Estimate
from bot.services.campaigns.images import MAX_IMAGE_BYTES, MAX_SIDES, ImageProblem
from bot.services.campaigns.placeholders import (
    MAX_FALLBACK,
    MAX_NAME,
    MAX_PLACEHOLDERS,
    MAX_TEXT,
    PlaceholderError,
)
from bot.services.campaigns.progress import Tally
from bot.services.campaigns.service import Draft
from handlers.texts import N_
from models import NO_CHANNEL, OPTED_OUT, RETRIES_EXHAUSTED, Campaign, CampaignStatus, Channel

CHANNEL_NAMES = {Channel.TELEGRAM: "Telegram", Channel.LINE: "LINE", Channel.WHATSAPP: "WhatsApp"}

_STATUSES = {
    CampaignStatus.DRAFT: N_("draft"),
    CampaignStatus.SCHEDULED: N_("scheduled"),
    CampaignStatus.RUNNING: N_("sending"),
    CampaignStatus.PAUSED: N_("paused"),
    CampaignStatus.REVIEW: N_("held for review"),
    CampaignStatus.FINISHED: N_("finished"),
    CampaignStatus.CANCELLED: N_("cancelled"),
    CampaignStatus.FAILED: N_("failed"),
}

# Each PlaceholderError code, explained; the ones with a limit are formatted with it.
_PLACEHOLDER_PROBLEMS = {
    "too_long": N_("The message is too long: at most {limit} characters."),
    "too_many": N_("The message has too many placeholders: at most {limit}."),
    "unopened": N_('A "}" closes nothing. To write the brace itself, type it twice: "}}".'),
    "unclosed": N_(
        'A "{" is never closed. End the placeholder with "}", or type "{{" for the brace itself.'
    ),
    "nested": N_('A placeholder contains another "{". Placeholders cannot hold braces.'),
    "empty": N_("A placeholder has no name. Put a name between the braces, like {first_name}."),
    "attribute": N_('A placeholder name has a "." or "[". Use the name alone, like {city}.'),
    "conversion": N_('A placeholder has a "!". Use the name alone, like {city}.'),
    "format_spec": N_('A placeholder has a ":". Use the name alone, like {city}.'),
    "bad_name": N_(
        "A placeholder name may hold only letters, digits and _, and cannot start with a digit."
    ),
    "name_too_long": N_("A placeholder name is too long: at most {limit} characters."),
    "bad_fallback": N_('A placeholder has a second "|": give one fallback, like {city|home}.'),
    "fallback_too_long": N_("A fallback is too long: at most {limit} characters."),
}
_LIMITS = {
    "too_long": MAX_TEXT,
    "too_many": MAX_PLACEHOLDERS,
    "name_too_long": MAX_NAME,
    "fallback_too_long": MAX_FALLBACK,
}

_REASONS = {
    OPTED_OUT: N_("opted out"),
    NO_CHANNEL: N_("no chosen channel reaches them"),
    RETRIES_EXHAUSTED: N_("no answer from the platform after several tries"),
    "403:blocked": N_("blocked the bot"),
    "403:deactivated": N_("account deleted"),
    "400:chat not found": N_("never started a chat with the bot"),
}


def status_label(t: Translator, status: CampaignStatus) -> str:
    """A campaign status in the member's language."""
    return t.gettext(_STATUSES[status])


def channel_names(channels: list[str]) -> str:
    """Channels in the member's order, as "Telegram → LINE"."""
    return " → ".join(CHANNEL_NAMES[Channel(name)] for name in channels)


def reason_label(t: Translator, code: str) -> str:
    """Why a delivery failed: ours and the common platform reasons in words, others by code."""
    if code in _REASONS:
        return t.gettext(_REASONS[code])
    if code.startswith("403"):
        return t.gettext("the platform refused to deliver ({code})").format(code=code)
    return t.gettext("platform error {code}").format(code=code)


def placeholder_problem(t: Translator, error: PlaceholderError, text: str) -> str:
    """What is wrong with the message, where, and how to fix it."""
    _ = t.gettext
    problem = _PLACEHOLDER_PROBLEMS.get(error.code, _PLACEHOLDER_PROBLEMS["bad_name"])
    if error.code in _LIMITS:
        problem = _(problem).format(limit=t.number(_LIMITS[error.code]))
        return problem + "\n" + _("Send the message again.")
    start = max(0, error.position - 15)
    excerpt = text[start : error.position + 15].replace("\n", " ")
    where = _("Near character {position}: {excerpt}").format(
        position=t.number(error.position + 1), excerpt=f"«{excerpt}»"
    )
    return "\n".join([_(problem), where, _("Send the message again.")])


def clock_time(t: Translator, minutes: int) -> str:
    """Minutes after midnight as a wall-clock time in the member's locale."""
    return format_time(time(minutes // 60 % 24, minutes % 60), "short", locale=t.locale)


def quiet_label(t: Translator, start: int | None, end: int | None) -> str:
    """Quiet hours as "21:00–08:00", or that there are none."""
    if start is None or end is None or start == end:
        return t.gettext("none")
    return f"{clock_time(t, start)}–{clock_time(t, end)}"


def duration(t: Translator, seconds: float) -> str:
    """A rough duration ("3 minutes") in the member's language."""
    return format_timedelta(timedelta(seconds=seconds), locale=t.locale)


def summary_text(
    t: Translator, draft: Draft, list_names: list[str], estimate: Estimate, preview: str
) -> str:
    """Everything the member is about to launch, with the counts, before they confirm."""
    _ = t.gettext
    n = t.number
    audience = ", ".join(list_names)
    if draft.tag:
        audience += " · #" + draft.tag
    lines = [
        _('Campaign "{name}"').format(name=draft.name),
        _("Audience: {lists}").format(lists=audience),
        _("Channels: {channels}").format(channels=channel_names(draft.channels)),
    ]
    if draft.image_id is not None:
        lines.append(_("With a picture above the text"))
    if draft.whatsapp_template:
        params = ", ".join(
            f"{{{{{i}}}}} = {{{name}}}" for i, name in enumerate(draft.whatsapp_params, 1)
        )
        lines.append(
            _("WhatsApp template: {template} ({language}) {params}").format(
                template=draft.whatsapp_template, language=draft.whatsapp_language, params=params
            )
        )
    when = t.datetime(draft.scheduled_at) if draft.scheduled_at else _("now")
    lines += [
        _("Sending: {when}").format(when=when),
        _("Quiet hours (recipient's local time): {hours}").format(
            hours=quiet_label(t, draft.quiet_start, draft.quiet_end)
        ),
        "",
        _("Recipients: {count}").format(count=n(estimate.total)),
    ]
    for channel in draft.channels:
        count = estimate.per_channel.get(channel.value, 0)
        lines.append(f"• {CHANNEL_NAMES[channel]}: {n(count)}")
    lines += [
        _("Skipped, opted out: {count}").format(count=n(estimate.opted_out)),
        _("Skipped, no chosen channel reaches them: {count}").format(count=n(estimate.unreachable)),
        t.ngettext(
            "Usage estimate: {count} message", "Usage estimate: {count} messages", estimate.total
        ).format(count=n(estimate.total)),
        "",
        _("Message for the first recipient:"),
        preview,
    ]
    if not estimate.total:
        lines += ["", _("Nobody would receive this campaign. Cancel and choose other lists.")]
    return "\n".join(lines)


def progress_text(t: Translator, name: str, tally: Tally | None) -> str:
    """The progress message: a bar, counts per channel, speed and time left."""
    _ = t.gettext
    n = t.number
    if tally is None or not tally.total:
        return _('Sending "{name}"… preparing the recipients.').format(name=name)
    head = _('Sending "{name}"').format(name=name)
    if tally.status is CampaignStatus.PAUSED:
        head = _('"{name}" is paused.').format(name=name)
    elif tally.ended:
        head = _('"{name}": {status}').format(name=name, status=status_label(t, tally.status))
    share = tally.settled / tally.total
    filled = round(share * 10)
    lines = [head, "▓" * filled + "░" * (10 - filled) + f" {n(round(share * 100))}%"]
    for channel, counts in tally.per_channel.items():
        lines.append(
            _("{channel}: {sent} sent, {failed} failed, {remaining} to go").format(
                channel=CHANNEL_NAMES[Channel(channel)],
                sent=n(counts.sent),
                failed=n(counts.failed),
                remaining=n(counts.remaining),
            )
        )
    if tally.rate and tally.status is CampaignStatus.RUNNING:
        lines.append(
            _("{rate} per second, about {time} left").format(
                rate=n(round(tally.rate, 1)), time=duration(t, tally.eta or 0)
            )
        )
    return "\n".join(lines)


def report_text(t: Translator, campaign: Campaign, tally: Tally) -> str:
    """The report: what was sent, delivered, read, failed (by reason), fell back, skipped."""
    _ = t.gettext
    n = t.number
    lines = [
        _('Report of "{name}" ({status})').format(
            name=campaign.name, status=status_label(t, tally.status)
        ),
        _("Recipients: {count}").format(count=n(tally.total)),
        _("Sent: {count}").format(count=n(tally.sent)),
    ]
    for channel, counts in tally.per_channel.items():
        if counts.sent:
            lines.append(f"• {CHANNEL_NAMES[Channel(channel)]}: {n(counts.sent)}")
    if Channel.WHATSAPP.value in campaign.channels:
        lines.append(
            _("Delivered: {delivered}, read: {read} (as WhatsApp reports them)").format(
                delivered=n(tally.by_status["delivered"] + tally.by_status["read"]),
                read=n(tally.by_status["read"]),
            )
        )
    lines.append(_("Failed: {count}").format(count=n(tally.failed)))
    for code, count in tally.failed_by_reason.most_common():
        lines.append(f"• {reason_label(t, code)}: {n(count)}")
    lines += [
        _("Sent on a fallback channel: {count}").format(count=n(tally.fell_back)),
        _("Skipped, opted out: {count}").format(count=n(tally.opted_out)),
        _("Skipped, no chosen channel reaches them: {count}").format(count=n(tally.no_channel)),
        _("Unknown whether sent (interrupted mid-send): {count}").format(
            count=n(tally.by_status["ambiguous"])
        ),
    ]
    if tally.by_status["cancelled"]:
        lines.append(
            _("Not sent, cancelled: {count}").format(count=n(tally.by_status["cancelled"]))
        )
    return "\n".join(lines)


def chart_bars(t: Translator, tally: Tally) -> list[tuple[str, int, str]]:
    """The report's main counts as chart bars (label, value, value as shown)."""
    _ = t.gettext
    bars = [
        (_("Sent"), tally.sent),
        (_("Delivered"), tally.by_status["delivered"] + tally.by_status["read"]),
        (_("Read"), tally.by_status["read"]),
        (_("Failed"), tally.failed),
        (_("Fell back"), tally.fell_back),
        (_("Opted out"), tally.opted_out),
        (_("Ambiguous"), tally.by_status["ambiguous"]),
    ]
    return [(label, value, t.number(value)) for label, value in bars]


def campaign_line(t: Translator, campaign: Campaign) -> str:
    """One campaign in /campaigns: name, status and its most telling time."""
    _ = t.gettext
    status = status_label(t, campaign.status)
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        moment = campaign.scheduled_at
    else:
        moment = campaign.finished_at or campaign.started_at or campaign.created_at
    return _("{name}: {status}, {time}").format(
        name=campaign.name, status=status, time=t.datetime(moment, fmt="short")
    )


def image_problem(t: Translator, problem: ImageProblem) -> str:
    """Why a picture cannot go with the campaign, and what to send instead."""
    _ = t.gettext
    if problem is ImageProblem.TOO_LARGE:
        return _(
            "That picture is larger than {size} MB, more than WhatsApp accepts. Send a smaller one."
        ).format(size=t.number(MAX_IMAGE_BYTES // 2**20))
    if problem is ImageProblem.BAD_SHAPE:
        return _(
            "That picture is too large or too long and thin to send. Send one whose width "
            "and height add up to at most {pixels} pixels."
        ).format(pixels=t.number(MAX_SIDES))
    return _("I couldn't read that as a JPEG or PNG picture. Send a photo or a JPEG/PNG file.")
