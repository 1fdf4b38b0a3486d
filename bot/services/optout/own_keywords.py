"""A member's own reply keywords, beside the defaults (which cannot be removed).

A recipient's reply is matched against the defaults first, then against the own keywords of
the member it is addressed to (the one whose campaign reached them last): a member's words
mean something to that member's recipients only. STOPALL has no own words: it reaches every
member, and no member may widen it.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.services.optout.keywords import (
    MAX_OWN_KEYWORDS,
    Intent,
    KeywordMatcher,
    KeywordRefused,
    Refusal,
    normalize,
)
from models import Member

OWN_INTENTS = (Intent.STOP, Intent.START, Intent.HELP)


def own_keywords(member: Member) -> dict[Intent, list[str]]:
    """The member's own words per intent (empty lists where none)."""
    stored = member.keywords or {}
    return {intent: list(stored.get(intent.value, ())) for intent in OWN_INTENTS}


def matcher_for(member: Member, defaults: KeywordMatcher) -> KeywordMatcher | None:
    """A matcher with the member's own words, or None when they have none."""
    words = own_keywords(member)
    if not any(words.values()):
        return None
    try:
        return KeywordMatcher(extra=words)
    except KeywordRefused:
        # Valid when added; a default added since may take the word: the defaults win.
        return defaults


class OwnKeywordService:
    """Adds and removes a member's own keywords."""

    async def add(self, member: Member, intent: Intent, word: str) -> str:
        """Add `word` for `intent`; the word as stored. Raises KeywordRefused (empty, too
        long, already a keyword of another intent, too many) with nothing changed."""
        if intent not in OWN_INTENTS:
            raise ValueError(f"no own keywords for {intent}")
        async with in_transaction():
            fresh = await Member.select_for_update().get(id=member.id)
            words = own_keywords(fresh)
            word = word.strip()
            if any(normalize(known) == normalize(word) for known in words[intent]):
                return word  # already there
            if sum(map(len, words.values())) >= MAX_OWN_KEYWORDS:
                raise KeywordRefused(word, Refusal.TOO_MANY)
            words[intent].append(word)
            KeywordMatcher(extra=words)  # raises for a word it refuses
            fresh.keywords = {key.value: value for key, value in words.items() if value}
            await fresh.save(update_fields=["keywords"])
        member.keywords = fresh.keywords
        return word

    async def remove(self, member: Member, intent: Intent, index: int) -> str | None:
        """Remove the `index`th own word of `intent`; the word, or None (no such word)."""
        async with in_transaction():
            fresh = await Member.select_for_update().get(id=member.id)
            words = own_keywords(fresh)
            if intent not in words or not 0 <= index < len(words[intent]):
                return None
            removed = words[intent].pop(index)
            fresh.keywords = {key.value: value for key, value in words.items() if value}
            await fresh.save(update_fields=["keywords"])
        member.keywords = fresh.keywords
        return removed
