"""Local stand-ins for the Telegram, LINE and WhatsApp APIs (see core.py), the console API
(console.py), and the specs they check requests against (specs/)."""

from .core import Sandbox, SandboxCredentials
from .faults import Fault, Faults
from .line import LineStandIn
from .records import Call, Delivery, SandboxBug, SentMessage
from .telegram import TelegramStandIn
from .telegram_limits import FloodControl, TelegramLimits
from .whatsapp import WhatsAppStandIn

__all__ = [
    "Call",
    "Delivery",
    "Fault",
    "Faults",
    "FloodControl",
    "LineStandIn",
    "Sandbox",
    "SandboxBug",
    "SandboxCredentials",
    "SentMessage",
    "TelegramLimits",
    "TelegramStandIn",
    "WhatsAppStandIn",
]
