"""How the operator's member tools render a member: the card and the data they open."""

from __future__ import annotations

from bot.conversation import Button, Keyboard
from bot.i18n import Translator
from bot.services.lists.service import ListSummary
from bot.services.member_admin import ContactPage, MemberCard
from handlers.campaign_texts import campaign_line
from handlers.texts import N_
from models import Campaign, Contact, ContactList, MemberStatus

# Campaign texts can be long; the listing shows this much of each so one message holds ten.
CAMPAIGN_TEXT_SHOWN = 300

_STATUSES = {
    MemberStatus.ONBOARDING: N_("signing up"),
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.SUSPENDED: N_("suspended"),
    MemberStatus.DELETED: N_("deleted"),
}


def card_text(t: Translator, card: MemberCard) -> str:
    """Who the member is and how much they hold; not the content itself."""
    _ = t.gettext
    member = card.member
    since = (
        {
            MemberStatus.SUSPENDED: member.suspended_at,
            MemberStatus.DELETED: member.deleted_at,
        }.get(member.status)
        or member.terms_accepted_at
        or member.created_at
    )
    lines = [
        _("Member {member}: {name}").format(member=member.id, name=member.display_name or "-"),
        _("Status: {status} since {date}").format(
            status=t.gettext(_STATUSES[member.status]), date=t.datetime(since)
        ),
    ]
    if member.status is MemberStatus.SUSPENDED:
        lines.append(_("Reason: {reason}").format(reason=member.suspended_reason or "-"))
    if card.restorable_until is not None:
        lines.append(_("Restorable until {date}").format(date=t.datetime(card.restorable_until)))
    lines.append(
        _("Language: {locale}, timezone: {zone}").format(locale=member.locale, zone=member.timezone)
    )
    lines.extend(
        _("Account: {platform} {id}").format(
            platform=account.platform.value, id=account.external_id
        )
        for account in card.accounts
    )
    lines.append(
        _("{lists} lists, {contacts} contacts, {campaigns} campaigns").format(
            lists=t.number(card.lists),
            contacts=t.number(card.contacts),
            campaigns=t.number(card.campaigns),
        )
    )
    return "\n".join(lines)


def lists_text(t: Translator, member_id: int, summaries: list[ListSummary]) -> str:
    """The member's lists with their counts."""
    _ = t.gettext
    lines = [_("Lists of member {member}:").format(member=member_id)]
    if not summaries:
        lines.append(_("No lists."))
    lines.extend(
        "• "
        + _("{name}: {total} contacts, {opted_out} opted out").format(
            name=summary.name, total=t.number(summary.total), opted_out=t.number(summary.opted_out)
        )
        for summary in summaries
    )
    return "\n".join(lines)


def list_buttons(summaries: list[ListSummary]) -> Keyboard:
    """One button per list, to open its contacts (audited again, with its own reason)."""
    return [[Button(summary.name, f"adm:do:list:{summary.id}")] for summary in summaries]


def contacts_text(t: Translator, member_id: int, page: ContactPage) -> str:
    """The member's first contacts."""
    _ = t.gettext
    heading = _("Contacts of member {member}: {total}, the first {shown}:").format(
        member=member_id, total=t.number(page.total), shown=t.number(len(page.contacts))
    )
    return _page(heading, page)


def list_contacts_text(t: Translator, contact_list: ContactList, page: ContactPage) -> str:
    """The first contacts of one list."""
    heading = t.gettext(
        "Contacts of the list {name} (member {member}): {total}, the first {shown}:"
    ).format(
        name=contact_list.name,
        member=contact_list.member_id,  # type: ignore[attr-defined]
        total=t.number(page.total),
        shown=t.number(len(page.contacts)),
    )
    return _page(heading, page)


def _page(heading: str, page: ContactPage) -> str:
    return "\n".join([heading, *("• " + _contact_line(contact) for contact in page.contacts)])


def _contact_line(contact: Contact) -> str:
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part) or "-"
    addresses = [
        contact.phone,
        f"telegram:{contact.telegram_id}" if contact.telegram_id else None,
        f"line:{contact.line_id}" if contact.line_id else None,
    ]
    return ", ".join([name, *(address for address in addresses if address)])


def campaigns_text(t: Translator, member_id: int, campaigns: list[Campaign]) -> str:
    """The member's newest campaigns with their message."""
    _ = t.gettext
    blocks = [_("Campaigns of member {member}, newest first:").format(member=member_id)]
    if not campaigns:
        blocks.append(_("No campaigns."))
    for campaign in campaigns:
        text = campaign.text
        if len(text) > CAMPAIGN_TEXT_SHOWN:
            text = text[:CAMPAIGN_TEXT_SHOWN] + "…"
        blocks.append(campaign_line(t, campaign) + "\n" + text)
    return "\n\n".join(blocks)
