"""Campaigns: composing, the life cycle, launching, reports."""
