"""What a handler receives: the event, who sent it, how to answer, and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram.fsm.context import FSMContext

from bot.conversation.events import Incoming
from bot.conversation.responder import Responder
from bot.i18n import I18n, Translator
from models import ChatAccount, Member

if TYPE_CHECKING:
    from bot.notify import Outbox
    from bot.services import Services


@dataclass(slots=True)
class Context:
    """Per-event dependencies, built by the Conversation for each incoming event."""

    event: Incoming
    account: ChatAccount | None
    t: Translator
    state: FSMContext
    reply: Responder
    services: Services
    i18n: I18n
    # Messages to other chats than this one: a member's (the operator's decisions), the
    # operators' (an appeal, a campaign waiting for review).
    outbox: Outbox

    @property
    def member(self) -> Member | None:
        """The member behind this chat account, once registered."""
        return self.account.member if self.account is not None else None

    def require_member(self) -> Member:
        """The member, for routes whose Access already guarantees one."""
        member = self.member
        if member is None:  # pragma: no cover - the dispatcher's access check prevents it
            raise LookupError("route reached without a registered member")
        return member

    def retranslate(self, member: Member) -> None:
        """Switch the translator after the member changed language or timezone."""
        self.t = self.i18n.translator(member.locale, member.timezone)
