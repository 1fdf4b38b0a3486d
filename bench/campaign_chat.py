"""The embedded benchmark's launch: the member presses Launch in their Telegram chat.

Embedded, Broadside is one process (`run_bot.py run`): the chat that launches a campaign and
the dispatcher that sends it share the in-process queue, so sending starts at the launch.
Launched from the driver instead, a separate worker would only find the campaign at its next
sweep (every 5 s), a delay the product never has; so the benchmark drives the chat, as a member
would, and times from the press of the summary's Launch button.

The member's own chat is on the same Telegram stand-in as a Telegram audience: `Arrivals` and
`campaign_calls` leave it out of what the campaign is measured by.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bot.sandbox import Sandbox, SentMessage
from bot.sandbox.telegram_params import Params

MEMBER_CHAT = 9_000_000  # below the audience's first chat id (campaign_setup.TELEGRAM_FIRST_ID)
LAUNCH = "new:go"  # the summary's Launch button
_REPLY_SECONDS = 30.0  # the summary counts the whole audience before it answers
# Requests about the chat itself, never a campaign's message.
_CHAT_METHODS = frozenset({"getUpdates", "answerCallbackQuery", "getMe"})


async def link_member_chat(sandbox: Sandbox, member_id: int, *, terms_version: str) -> None:
    """Give the benchmark's member a Telegram chat with the current terms accepted."""
    from bot.services.clock import utc_now
    from models import ChatAccount, Member, Platform

    sandbox.telegram.add_user(MEMBER_CHAT, first_name="Bench")
    await ChatAccount.create(
        platform=Platform.TELEGRAM, external_id=str(MEMBER_CHAT), member_id=member_id
    )
    await Member.filter(id=member_id).update(
        terms_version=terms_version, terms_accepted_at=utc_now(), terms_announced=terms_version
    )


async def _offering(sandbox: Sandbox, data: str) -> SentMessage:
    """Read the member's chat until a message offers the button `data`."""
    while True:
        message = await sandbox.telegram.next_message(MEMBER_CHAT, timeout=_REPLY_SECONDS)
        if any(payload == data for row in message.buttons for _, payload in row):
            return message


async def to_summary(sandbox: Sandbox, campaign_id: int) -> SentMessage:
    """/campaigns, the saved draft, Continue, send now, default quiet hours: the summary,
    once the bot has counted the audience for it (before the benchmark's clock starts)."""
    await sandbox.telegram.send_text(MEMBER_CHAT, "/campaigns")
    for data in (
        f"cmp:open:{campaign_id}",
        f"cmp:edit:{campaign_id}",
        "new:now",
        "new:quiet:default",
    ):
        await sandbox.telegram.press_button(MEMBER_CHAT, await _offering(sandbox, data), data)
    return await _offering(sandbox, LAUNCH)


async def launch(sandbox: Sandbox, summary: SentMessage) -> None:
    """Press Launch under the summary (the moment the benchmark's clock starts)."""
    await sandbox.telegram.press_button(MEMBER_CHAT, summary, LAUNCH)


class Arrivals:
    """Messages that reached the audience since it was made, the member's chat left out."""

    def __init__(self, sandbox: Sandbox, *, leave_out: Hashable | None) -> None:
        self._journal = sandbox.journal
        self._seen = self._journal.cursor
        self._leave_out = leave_out
        self._count = 0

    def __call__(self) -> int:
        """How many so far (reads only the journal's entries since the last call)."""
        entries = self._journal.entries[self._seen :]
        self._seen += len(entries)
        self._count += sum(1 for entry in entries if entry.message.chat_id != self._leave_out)
        return self._count


def campaign_calls(
    sandbox: Sandbox, channel: str, *, since: int, member_chat: int | None
) -> list[Any]:
    """The requests made on the campaign's channel from call `since` on, the member's chat
    (its updates, buttons, messages and their edits) left out."""
    calls = [call for call in sandbox.calls[since:] if call.platform == channel]
    if member_chat is None or channel != "telegram":
        return calls
    return [call for call in calls if not _in_member_chat(call, member_chat)]


def _in_member_chat(call: Any, member_chat: int) -> bool:
    if call.method in _CHAT_METHODS:
        return True
    # The fields as answered calls record them (a dict), or as refused ones do (Params).
    fields = call.params.values if isinstance(call.params, Params) else call.params
    return isinstance(fields, dict) and str(fields.get("chat_id")) == str(member_chat)
