"""Translated texts of the review queue: why a campaign is held, and the decisions on it.

Members read them (their launch was held, their campaign paused or decided) and so do the
operators (the queue, a campaign's card): one place says what each finding means.
"""

from __future__ import annotations

from babel.numbers import format_percent

from bot.conversation import Button, Keyboard
from bot.i18n import Translator
from bot.services.screening import Finding
from handlers.texts import N_
from models import Campaign, CampaignStatus, HoldReason, RuleKind

_REASONS = {
    HoldReason.SCREENING: N_("flagged by screening"),
    HoldReason.OPT_OUTS: N_("too many opt-outs"),
    HoldReason.FAILURES: N_("too many failed messages"),
}
_FINDINGS = {
    RuleKind.PHRASE: N_('a phrase common in spam: "{value}"'),
    RuleKind.CREDENTIALS: N_('it asks for passwords, codes or card details: "{value}"'),
    RuleKind.SHORTENER: N_("a shortened link, which hides where it leads: {match}"),
    RuleKind.BRAND: N_("the link {match} imitates {value} without being it"),
    RuleKind.CAPITALS: N_("{share} of its letters are capitals (at most {limit})"),
    RuleKind.SYMBOLS: N_("{share} of its characters are symbols (at most {limit})"),
}
_RATES = {
    HoldReason.OPT_OUTS: N_(
        "{count} of the {sends} recipients it reached opted out ({rate}; the limit is {limit})"
    ),
    HoldReason.FAILURES: N_(
        "{count} of its {sends} messages failed for good ({rate}; the limit is {limit})"
    ),
}


def hold_reason_label(t: Translator, campaign: Campaign) -> str:
    """Why the campaign is (or was) held, in a few words."""
    try:
        return t.gettext(_REASONS[HoldReason(campaign.hold_reason or "")])
    except ValueError:
        return t.gettext(_REASONS[HoldReason.SCREENING])


def finding_lines(t: Translator, campaign: Campaign) -> list[str]:
    """Each thing that held the campaign, one bulleted line each."""
    lines = (_explain(t, finding) for finding in campaign.findings or [])
    return ["• " + line for line in lines if line]


def _explain(t: Translator, data: dict[str, object]) -> str | None:
    finding = Finding.from_json(data)
    if finding is not None:
        share = _number(finding.match)
        limit = _number(finding.value)
        return t.gettext(_FINDINGS[finding.kind]).format(
            value=finding.value,
            match=finding.match,
            share=_percent(t, share) if share is not None else finding.match,
            limit=_percent(t, limit) if limit is not None else finding.value,
        )
    try:
        reason = HoldReason(str(data.get("kind")))
    except ValueError:
        return None
    if reason not in _RATES:
        return None
    return t.gettext(_RATES[reason]).format(
        count=t.number(int(str(data.get("count", 0)))),
        sends=t.number(int(str(data.get("sends", 0)))),
        rate=_percent(t, float(str(data.get("rate", 0)))),
        limit=_percent(t, float(str(data.get("limit", 0)))),
    )


def _percent(t: Translator, share: float) -> str:
    """A share with a decimal where it has one: 2.4% is past a 2% limit, "2%" would not say."""
    return format_percent(share, format="#,##0.#%", locale=t.locale)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def held_for_member(t: Translator, campaign: Campaign) -> str:
    """What the member reads when their campaign is held: at launch, or while sending."""
    _ = t.gettext
    if campaign.hold_reason == HoldReason.SCREENING.value:
        head = _(
            '"{name}" was not sent yet: before a campaign goes out we check it for signs of '
            "spam and phishing, and this one needs a look from our team:"
        )
    else:
        head = _('"{name}" was paused, and waits for a look from our team:')
    tail = _(
        "An operator will review it soon, and you will hear the decision here. Meanwhile "
        "you can cancel it from /campaigns."
    )
    return "\n".join([head.format(name=campaign.name), *finding_lines(t, campaign), "", tail])


def waiting_for_operators(t: Translator, campaign: Campaign) -> str:
    """The operators' notice that a campaign joined the review queue."""
    return t.gettext(
        'Campaign #{id} "{name}" of member {member} waits for review: {reason}.'
    ).format(
        id=campaign.id,
        name=campaign.name,
        member=campaign.member_id,  # type: ignore[attr-defined]
        reason=hold_reason_label(t, campaign),
    )


def queue_button(t: Translator) -> Keyboard:
    """The button that opens the review queue."""
    return [[Button(t.gettext("Review queue"), "adm:review")]]


def decision_for_member(t: Translator, campaign: Campaign) -> str:
    """The operator's decision, as the member reads it (the campaign as it now stands)."""
    _ = t.gettext
    name = campaign.name
    if campaign.status is CampaignStatus.SCHEDULED and campaign.scheduled_at is not None:
        return _('Our team approved "{name}": it goes out at {time}.').format(
            name=name, time=t.datetime(campaign.scheduled_at)
        )
    if campaign.status is CampaignStatus.RUNNING:
        return _('Our team approved "{name}": it is being sent now.').format(name=name)
    note = campaign.review_note or ""
    if campaign.status is CampaignStatus.DRAFT:
        return _(
            'Our team did not approve "{name}": {reason}\nNothing was sent; it is back among '
            "your drafts in /campaigns. Compose a new message with /new."
        ).format(name=name, reason=note)
    return _('Our team stopped "{name}": {reason}\nWhat had not been sent yet will not be.').format(
        name=name, reason=note
    )
