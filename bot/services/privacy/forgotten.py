"""Opt-outs a purged account left behind as keyed hashes, handed to a new member who comes
back from one of its chat accounts (see services/privacy/accounts.py)."""

from __future__ import annotations

from datetime import datetime

from models import ForgottenOptOut, Member, Platform, Suppression, SuppressionSource
from models.suppression import HASHED


def account_key(platform: Platform | str, external_id: str) -> str:
    """What is hashed of a chat account."""
    return f"{Platform(platform).value}:{external_id}"


async def inherit_opt_outs(member: Member, account_hash: str, *, now: datetime) -> int:
    """Give the member the opt-outs a purged account with this chat account left behind, as
    hashed suppression entries; returns how many."""
    hashes = await ForgottenOptOut.filter(account_hash=account_hash).values_list(
        "key_hash", flat=True
    )
    if not hashes:
        return 0
    await Suppression.bulk_create(
        [
            Suppression(
                member_id=member.id,
                key=HASHED + key_hash,
                channel="hashed",
                source=SuppressionSource.PURGED_ACCOUNT,
                created_at=now,
            )
            for key_hash in hashes
        ],
        ignore_conflicts=True,
    )
    await Member.filter(id=member.id).update(inherited_opt_outs=True)
    member.inherited_opt_outs = True
    return len(hashes)
