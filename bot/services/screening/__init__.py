"""Screening campaigns for signs of spam and phishing before they go out (see service.py)."""

from bot.services.screening.screener import Finding, screen
from bot.services.screening.service import KindCount, RuleError, ScreeningService

__all__ = ["Finding", "KindCount", "RuleError", "ScreeningService", "screen"]
