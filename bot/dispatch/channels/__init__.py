"""Channel senders: one per platform, all behind the `ChannelSender` interface."""

from bot.dispatch.channels.base import (
    ChannelSender,
    Image,
    Outcome,
    Outgoing,
    Result,
    Template,
)
from bot.dispatch.channels.line import LineSender
from bot.dispatch.channels.telegram import TelegramSender
from bot.dispatch.channels.whatsapp import WhatsAppSender

__all__ = [
    "ChannelSender",
    "Image",
    "LineSender",
    "Outcome",
    "Outgoing",
    "Result",
    "TelegramSender",
    "Template",
    "WhatsAppSender",
]
