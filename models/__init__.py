"""Tortoise ORM models: the one schema every process shares."""

from models.member import ChatAccount, LinkCode, Member, MemberStatus, Platform

__all__ = ["ChatAccount", "LinkCode", "Member", "MemberStatus", "Platform"]
