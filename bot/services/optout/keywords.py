"""Which whole-message replies are opt-out keywords (STOP, STOPALL), re-subscribe or HELP.

Pure code, no I/O. `KeywordMatcher(extra=...).match(text)` answers a recipient's reply on
Telegram, LINE or WhatsApp with a `Match` (intent, canonical keyword, its language) or None.

The whole message must be the keyword: "please stop sending me these" is not an opt-out. Before
comparing, a message is `normalize`d (NFKC so "ＳＴＯＰ" is "stop", casefold, surrounding spaces,
punctuation and invisible format characters dropped, trailing emoji dropped, inner spaces
collapsed); punctuation between words counts as a space ("opt-out" is "OPT OUT"), and Latin
accents are optional ("arret" is ARRÊT). Decisions on replies that are not one plain keyword:
- The same keyword repeated ("STOP STOP", "stop, stop!") matches it: the intent is unmistakable,
  and ignoring an opt-out costs far more than honouring one. Different words ("STOP START") don't.
- Only trailing emoji are dropped ("STOP 🙏"), not leading ones; a message of emoji alone is none.
- "NO" (and НЕТ, NON, NEIN, いいえ, ไม่...) is not an opt-out: it answers whatever the campaign
  asked ("Will you come? No").
- "YES" and its translations (SI, SÍ, SÌ, OUI, JA, SIM, ДА, ใช่, はい) re-subscribe, as in the
  industry defaults (YES, START, UNSTOP). A subscribed recipient who answers a question "yes"
  loses nothing: START for someone not opted out changes nothing.
- CANCEL and its translations opt out, as on every carrier's list, even where the sender may have
  meant an appointment. ALTO (es, "halt") opts out and ALTA (es, "sign up") re-subscribes: the
  Spanish pair BAJA/ALTA is how Spanish senders word it.
- FIN (es, fr) and words of mere annoyance in English are left out: no carrier lists them.
- STOPALL exists in English only (the industry keyword); other languages have no such word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType

MAX_MESSAGE_LENGTH = 64  # longer messages are never keywords: don't normalise megabytes
MAX_KEYWORD_LENGTH = 32  # a member's own keyword, counted after `normalize`
# A member's own keywords, all intents together: 3 add and 10 remove buttons fill LINE's 13
# quick replies.
MAX_OWN_KEYWORDS = 10


class Intent(StrEnum):
    """What a keyword asks for."""

    STOP = "stop"  # opt out of the member who messaged them
    STOP_ALL = "stop_all"  # opt out of every member on that channel
    START = "start"  # lift an earlier opt-out
    HELP = "help"  # who is messaging them, and how to stop


@dataclass(frozen=True, slots=True)
class Match:
    """A reply that is a keyword: the intent, the keyword as listed, and its language.

    `language` is None when the keyword tells nothing about the recipient's language (STOP is
    used everywhere; SI is Spanish and Italian; a member's own keywords): answer in the language
    already known for the recipient.
    """

    intent: Intent
    keyword: str
    language: str | None


# The one list of default keywords, by language, then intent. Words people actually send; see
# the module docstring for the ambiguous ones. Accents are optional when matching, so ARRET and
# DESABONNER are listed beside ARRÊT and DÉSABONNER only because senders print both spellings.
_BY_LANGUAGE: dict[str, dict[Intent, tuple[str, ...]]] = {
    # English: the CTIA and Twilio lists (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT
    # and CTIA's "OPT OUT", REVOKE; START, UNSTOP, YES; HELP, INFO).
    "en": {
        Intent.STOP: ("STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT",
                      "REVOKE"),
        Intent.STOP_ALL: ("STOPALL", "STOP ALL"),
        Intent.START: ("START", "UNSTOP", "YES"),
        Intent.HELP: ("HELP", "INFO"),
    },
    # Spanish: BAJA/ALTA "unsubscribe/subscribe" (Spain), ALTO/PARA "halt", BASTA "enough".
    "es": {
        Intent.STOP: ("ALTO", "BAJA", "DAR DE BAJA", "PARAR", "PARA", "BASTA", "CANCELAR",
                      "DETENER", "DESUSCRIBIR"),
        Intent.START: ("ALTA", "SI", "SÍ"),
        Intent.HELP: ("AYUDA", "INFO"),
    },
    # Russian: СТОП and the verb/noun of unsubscribing; ХВАТИТ "enough"; ОТМЕНА "cancel".
    "ru": {
        Intent.STOP: ("СТОП", "ОТПИСАТЬСЯ", "ОТПИСКА", "ОТПИШИТЕ", "ОТМЕНА", "ХВАТИТ"),
        Intent.START: ("СТАРТ", "ДА", "ПОДПИСАТЬСЯ"),
        Intent.HELP: ("ПОМОЩЬ", "СПРАВКА", "ИНФО"),
    },
    # Thai: หยุด "stop", ยกเลิก "cancel", หยุดส่ง "stop sending"; สมัคร "subscribe"; ใช่ "yes".
    "th": {
        Intent.STOP: ("หยุด", "ยกเลิก", "หยุดส่ง", "ยกเลิกการสมัคร"),
        Intent.START: ("เริ่ม", "สมัคร", "ใช่"),
        Intent.HELP: ("ช่วยเหลือ", "ข้อมูล"),
    },
    # Japanese: 配信停止 "stop delivery", the usual wording; 解除 "cancel"; 再開 "resume".
    "ja": {
        Intent.STOP: ("停止", "配信停止", "ストップ", "配信解除", "登録解除", "解除"),
        Intent.START: ("開始", "再開", "配信再開", "はい"),
        Intent.HELP: ("ヘルプ", "問い合わせ", "お問い合わせ"),
    },
    # French: STOP is the French opt-out word too ("STOP SMS" in every footer); ARRÊT, désabonner.
    "fr": {
        Intent.STOP: ("STOP", "ARRET", "ARRÊT", "DESABONNER", "DÉSABONNER", "DÉSABONNEMENT",
                      "DÉSINSCRIRE", "DÉSINSCRIPTION", "ANNULER"),
        Intent.START: ("OUI", "REPRENDRE"),
        Intent.HELP: ("AIDE", "INFO"),
    },
    # German: STOPP (German spelling), abmelden/abbestellen/austragen "unsubscribe"; START is
    # used as is.
    "de": {
        Intent.STOP: ("STOPP", "ABMELDEN", "ABBESTELLEN", "AUSTRAGEN", "BEENDEN", "ENDE"),
        Intent.START: ("START", "JA", "ANMELDEN"),
        Intent.HELP: ("HILFE", "INFO"),
    },
    # Portuguese (Brazil and Portugal): PARAR/PARE "stop", SAIR "leave", descadastrar
    # "unsubscribe".
    "pt": {
        Intent.STOP: ("PARAR", "PARE", "PARA", "SAIR", "CANCELAR", "DESCADASTRAR",
                      "DESINSCREVER"),
        Intent.START: ("SIM", "INICIAR"),
        Intent.HELP: ("AJUDA", "INFO"),
    },
    # Italian: BASTA "enough", disiscrivi(mi) "unsubscribe (me)", disdici "cancel".
    "it": {
        Intent.STOP: ("BASTA", "FERMA", "ANNULLA", "CANCELLA", "CANCELLAMI", "DISISCRIVI",
                      "DISISCRIVIMI", "DISDICI"),
        Intent.START: ("SI", "SÌ", "INIZIA", "RIATTIVA"),
        Intent.HELP: ("AIUTO", "INFO"),
    },
}  # fmt: skip

# Our own messages name these in every locale ("Reply STOP" is untranslated in every catalog),
# so they say nothing about the recipient's language. A word listed under several languages
# (SI, INFO, CANCELAR) is language-neutral as well.
LANGUAGE_NEUTRAL = frozenset({"STOP", "STOPALL", "START", "HELP", "INFO"})

DEFAULT_KEYWORDS: Mapping[Intent, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        intent: MappingProxyType(
            {lang: words[intent] for lang, words in _BY_LANGUAGE.items() if intent in words}
        )
        for intent in Intent
    }
)


def normalize(text: str) -> str:
    """`text` reduced for comparison: NFKC, casefolded, ends trimmed, inner spaces collapsed.

    Trimmed from both ends: whitespace, punctuation (！。、 too) and invisible format characters
    (zero-width spaces, direction marks); from the end also any run of emoji and symbols with
    their skin tones, variation selectors and joiners ("STOP 🙏", "stop👋🏽", "停止！").
    """
    # NFKC again after casefold: casefolding can leave a string NFKC would still change.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    end = len(folded)
    while end and _is_trailing_noise(folded[end - 1]):
        end -= 1
    start = 0
    while start < end and _is_edge_noise(folded[start]):
        start += 1
    return " ".join(folded[start:end].split())


def _is_edge_noise(char: str) -> bool:
    category = unicodedata.category(char)
    return char.isspace() or category[0] == "P" or category == "Cf"


def _is_trailing_noise(char: str) -> bool:
    # So: emoji and other symbols; Sk: skin tones; Me: the keycap; Cf (in _is_edge_noise): the
    # zero-width joiner and flag tags. Variation selectors are marks (Mn), so they are named.
    return (
        _is_edge_noise(char)
        or unicodedata.category(char) in ("So", "Sk", "Me")
        or "\ufe00" <= char <= "\ufe0f"
        or "\U000e0100" <= char <= "\U000e01ef"
    )


def _key(normalized: str) -> str:
    """The lookup key of a normalised text: punctuation between words counts as a space."""
    spaced = "".join(" " if unicodedata.category(c)[0] == "P" else c for c in normalized)
    return " ".join(spaced.split())


def _plain(key: str) -> str:
    """`key` without the accents of Latin letters; other scripts' marks are their letters."""
    kept: list[str] = []
    latin = False
    for char in unicodedata.normalize("NFD", key):
        if unicodedata.combining(char):
            if not latin:  # Thai vowels, Japanese dakuten, the breve of Russian й stay
                kept.append(char)
            continue
        latin = unicodedata.name(char, "").startswith("LATIN ")
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


class Refusal(StrEnum):
    """Why a member's keyword is refused (for the handler to explain in the member's language)."""

    EMPTY = "empty once spaces, punctuation and emoji are dropped"
    TOO_LONG = f"longer than {MAX_KEYWORD_LENGTH} characters"
    TAKEN = "already a keyword of another intent"
    TOO_MANY = f"more than {MAX_OWN_KEYWORDS} own keywords"


class KeywordRefused(ValueError):
    """A member's keyword that cannot be added; `clash` is the keyword it collides with."""

    def __init__(self, keyword: str, reason: Refusal, clash: Match | None = None) -> None:
        taken = f" ({clash.intent}: {clash.keyword})" if clash else ""
        super().__init__(f"keyword {keyword!r} refused: {reason}{taken}")
        self.keyword = keyword
        self.reason = reason
        self.clash = clash


@dataclass
class _Index:
    """Keys to matches: exact keys, and Latin-accent-free keys for the accent-optional lookup."""

    exact: dict[str, Match] = field(default_factory=dict)
    plain: dict[str, Match] = field(default_factory=dict)

    def copy(self) -> _Index:
        return _Index(dict(self.exact), dict(self.plain))

    def add(self, key: str, match: Match) -> None:
        """File `match` under `key`; raises KeywordRefused if the key means another intent."""
        for table, k in ((self.exact, key), (self.plain, _plain(key))):
            # The first spelling listed stays canonical for the accent-free key (ARRET, ARRÊT).
            known = table.setdefault(k, match)
            if known.intent != match.intent:
                raise KeywordRefused(match.keyword, Refusal.TAKEN, known)

    def resolve(self, key: str) -> Match | None:
        """The match for a whole message's key, or for a keyword repeated ("stop stop")."""
        found = self.exact.get(key) or self.plain.get(_plain(key))
        if found is None and " " in key:
            first, *rest = key.split(" ")
            if all(word == first for word in rest):
                found = self.exact.get(first) or self.plain.get(_plain(first))
        return found


@cache
def _default_index() -> _Index:
    """The defaults, built on first use; raises if the table gives one word two intents."""
    spoken: dict[str, set[str]] = {}
    for lang, words in _BY_LANGUAGE.items():
        for keywords in words.values():
            for keyword in keywords:
                spoken.setdefault(_key(normalize(keyword)), set()).add(lang)
    index = _Index()
    for lang, words in _BY_LANGUAGE.items():
        for intent, keywords in words.items():
            for keyword in keywords:
                key = _key(normalize(keyword))
                neutral = keyword in LANGUAGE_NEUTRAL or len(spoken[key]) > 1
                index.add(key, Match(intent, keyword, None if neutral else lang))
    return index


class KeywordMatcher:
    """Matches whole replies against the default keywords plus a member's own."""

    def __init__(self, *, extra: Mapping[Intent, Iterable[str]] | None = None) -> None:
        """Add a member's own keywords (by intent) to the defaults; none can be removed.

        Raises KeywordRefused (a ValueError) for a keyword that is empty once normalised, longer
        than MAX_KEYWORD_LENGTH, or that already means another intent: a default ("STOP" cannot
        become START, nor "stop stop", nor "arret") or another of the member's keywords.
        """
        defaults = _default_index()
        self._index = defaults.copy()
        for intent, keywords in (extra or {}).items():
            if isinstance(keywords, str):
                raise TypeError("extra keywords come as a collection of strings, not one string")
            for keyword in keywords:
                self._add(Intent(intent), keyword, defaults)

    def _add(self, intent: Intent, keyword: str, defaults: _Index) -> None:
        normalized = normalize(keyword)
        if not normalized:
            raise KeywordRefused(keyword, Refusal.EMPTY)
        if len(normalized) > MAX_KEYWORD_LENGTH:
            raise KeywordRefused(keyword, Refusal.TOO_LONG)
        key = _key(normalized)
        # Resolve as an incoming message would, so repeats and accents of defaults count too.
        default = defaults.resolve(key)
        if default is not None:
            if default.intent != intent:
                raise KeywordRefused(keyword, Refusal.TAKEN, default)
            return  # already a default of this intent: the default's spelling stays
        self._index.add(key, Match(intent, keyword.strip(), None))

    def match(self, text: str) -> Match | None:
        """The keyword `text` is, as a whole message, or None (also for long messages)."""
        if len(text) > MAX_MESSAGE_LENGTH:
            return None
        normalized = normalize(text)
        if not normalized:
            return None
        return self._index.resolve(_key(normalized))
