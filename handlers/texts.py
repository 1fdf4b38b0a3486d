"""Translated texts that several handlers show."""

from __future__ import annotations

from bot.i18n import Translator


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# The member commands, in menu order: the help text and Telegram's command menu both read this.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", N_("Show what I can do")),
    ("language", N_("Change the language I speak")),
    ("timezone", N_("Change your timezone")),
    ("privacy", N_("The privacy notice and what we promise")),
    ("notices", N_("Whether news from Broadside reaches you")),
    ("lists", N_("Your distribution lists")),
    ("contact", N_("Find, show or delete a contact")),
    ("trash", N_("Restore deleted lists and contacts")),
    ("new", N_("Compose a campaign")),
    ("campaigns", N_("Your campaigns: progress, pause, reports")),
    ("replies", N_("What your recipients wrote back")),
    ("keywords", N_("The words recipients reply with to opt out, back in, or ask")),
    ("optouts", N_("Export the list of people who opted out")),
    ("usage", N_("Messages sent this month, and statements")),
    ("mydata", N_("Export everything we hold about you")),
    ("deleteaccount", N_("Delete your account; it can be restored for a while")),
    ("link", N_("Join your Telegram and LINE accounts into one")),
)


def command_menu(t: Translator) -> list[tuple[str, str]]:
    """The commands with their descriptions in the translator's language."""
    return [(name, t.gettext(description)) for name, description in COMMANDS]


def help_text(t: Translator) -> str:
    """What a member can do, one command a line."""
    lines = [f"/{name} - {description}" for name, description in command_menu(t)]
    return "\n".join([t.gettext("Here is what you can do:"), *lines])


def privacy_summary(t: Translator) -> str:
    """The promises in a few lines, shown with the accept button."""
    _ = t.gettext
    return "\n".join(
        [
            _("In short:"),
            _("- Your lists are yours: we never share or sell them."),
            _("- You can export or delete your data at any time."),
            _("- People who opt out never hear from you again."),
            _(
                "- We record usage per message for billing, and screen campaigns for spam "
                "and abuse."
            ),
        ]
    )


def privacy_notice(t: Translator) -> str:
    """The full privacy notice."""
    _ = t.gettext
    return "\n\n".join(
        [
            _("Privacy notice"),
            _(
                "What we keep: your account and settings, the distribution lists you upload, "
                "your campaigns and their per-recipient results, opt-outs, and itemised usage "
                "records (time, sender, recipient, message units)."
            ),
            _(
                "What we never do: share or sell your lists, or message your contacts for any "
                "purpose but your own campaigns."
            ),
            _(
                "Your rights: export everything we hold about you at any time; delete your "
                "account, which disables it at once, can be undone for 30 days, and is then "
                "purged for good."
            ),
            _(
                "Opt-outs always hold: a person who replies STOP is never messaged by you again, "
                "even if you import them again."
            ),
            _(
                "Safety: campaigns are screened for spam and abuse; an account can be suspended, "
                "and you can always ask for a personal review. Staff access to your data is "
                "restricted and audited, and you will be told of any breach."
            ),
            _(
                "Retention: delivery details and replies 13 months, service logs 30 days, usage "
                "records as long as billing law requires."
            ),
        ]
    )


def stale_button(t: Translator) -> str:
    """A button that no longer means anything (an old message, a forged payload)."""
    return t.gettext("This button has expired. Send /help to see what you can do.")


def file_stem(name: str) -> str:
    """A list name made safe as a file name for an export."""
    stem = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip()
    return stem[:60] or "list"
