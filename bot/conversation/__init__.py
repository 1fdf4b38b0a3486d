"""The platform-neutral conversation layer: events in, replies out, one router for both chats."""

from bot.conversation.context import Context
from bot.conversation.dispatcher import Conversation
from bot.conversation.events import Button, EventKind, FileRef, Incoming, Keyboard, parse_command
from bot.conversation.responder import Responder
from bot.conversation.router import ANY_STATE, Access, Router

__all__ = [
    "ANY_STATE",
    "Access",
    "Button",
    "Context",
    "Conversation",
    "EventKind",
    "FileRef",
    "Incoming",
    "Keyboard",
    "Responder",
    "Router",
    "parse_command",
]
