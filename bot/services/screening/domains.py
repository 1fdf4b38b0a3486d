"""Look-alike domains: a host that imitates a brand's domain without being it.

Signs, each compared on a "skeleton" where look-alike characters are made one (Cyrillic
"а" and Latin "a", "1" and "l", "rn" and "m"), punycode decoded first:
- the brand's name as the registrable domain's name under another ending (paypal.net), or
  imitated (paypa1.com, pаypal.com, xn--pypal-4ve.com);
- within one edit of it, for names long enough that one edit is not another word (gooogle);
- the brand's name as a whole part of another domain (paypal-secure.com, paypal.com.evil.io).
Never the brand's own domain or its subdomains, and not its name under a country ending
(amazon.co.jp, apple.de): brands keep those, and flagging them would flag honest links.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

# Endings under which a name is registered one level down (no public suffix list here: the
# common ones of the bot's markets).
_TWO_PART_ENDINGS = frozenset(
    f"{second}.{country}"
    for country in ("uk", "jp", "th", "au", "nz", "za", "in", "kr", "br", "mx", "ar", "co", "es")
    for second in ("co", "com", "or", "ne", "ac", "go", "in", "net", "org")
) | frozenset({"com.ru", "com.cn", "com.tw", "com.hk", "com.sg", "com.my"})
# Letters of other scripts drawn like Latin ones, and digits standing in for letters.
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "l",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ɡ": "g", "ο": "o", "α": "a", "ν": "v",
        "ρ": "p", "τ": "t", "ι": "l", "κ": "k", "0": "o", "1": "l", "i": "l", "|": "l",
        "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    }
)  # fmt: skip
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_PARTS = re.compile(r"[.-]")
# One edit away from a shorter name is another word (apply, line -> lime), not a disguise.
MIN_FUZZY_NAME = 6


def decoded(host: str) -> str:
    """The host with its punycode labels decoded (as the address bar would show it)."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def registrable(host: str) -> str:
    """The part of the host its owner registered (shop.example.co.uk -> example.co.uk)."""
    labels = host.split(".")
    size = 3 if ".".join(labels[-2:]) in _TWO_PART_ENDINGS else 2
    return ".".join(labels[-size:])


def skeleton(name: str) -> str:
    """The name with look-alike characters made one."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", name.casefold())
        if not unicodedata.combining(char)
    )
    shape = plain.translate(_LOOKALIKES)
    for pair, single in _PAIRS:
        shape = shape.replace(pair, single)
    return shape


def within_one_edit(first: str, second: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours makes them equal."""
    if first == second:
        return True
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        diffs = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and first[diffs[0]] == second[diffs[1]]
            and first[diffs[1]] == second[diffs[0]]
        )
    shorter, longer = sorted((first, second), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def imitates(host: str, brand: str) -> bool:
    """Whether `host` (as found in a text, lower-case) imitates the `brand` domain."""
    brand = brand.casefold().strip(".")
    ascii_host = _ascii(host)
    if ascii_host == brand or ascii_host.endswith("." + brand):
        return False
    shown = decoded(ascii_host)
    own = registrable(shown)
    name, ending = own.split(".", 1)
    brand_name = brand.split(".", 1)[0]
    if name == brand_name and len(ending.rsplit(".", 1)[-1]) == 2:
        return False  # the brand's own name under a country ending
    target = skeleton(brand_name)
    if skeleton(name) == target:
        return True
    if len(brand_name) >= MIN_FUZZY_NAME and within_one_edit(skeleton(name), target):
        return True
    return target in {skeleton(part) for part in _PARTS.split(shown)}


def _ascii(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host
