"""Which columns hold sealed values (bot/crypto.py): one place for the exports, which open
them for the member, and for the sealing step, which seals rows written before (bot/sealing.py).

A sealed value is base64 of a 12-byte nonce, the ciphertext and a 16-byte tag: at least 40
characters. Every plaintext address these columns held before is shorter (E.164: at most 16,
a Telegram id 20, a LINE id 33), which tells the sealing step which rows are still plain;
contacts' names can be any length, so contacts carry key_version instead.
"""

from __future__ import annotations

SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Contact": ("phone", "whatsapp", "first_name", "last_name"),
    "Suppression": ("address",),
    "InboundReply": ("address",),
    "UsageRecord": ("recipient",),
}
SHORTEST_SEALED = 40
