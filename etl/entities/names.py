"""Pure string functions behind canonical names: the comparison key and the display form.

Both are functions of the surface text alone, which is what makes canonical names independent of
page order: "IRAN", "Iran's" and "Irán" share one key and one display form.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Latin letters that carry no decomposable accent but are still written as "accented" variants.
_LATIN_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_POSSESSIVE_RE = re.compile(r"'[sS]?$")
_SPACES_RE = re.compile(r"\s+")
_KEY_DOTS_RE = re.compile(r"\.")
_KEY_DASHES_RE = re.compile(r"[\-‐–—_]+")


def fold_latin(text: str) -> str:
    """``text`` with accents removed from Latin letters only ("Erdoğan" -> "Erdogan").

    Cyrillic and other scripts keep their marks: stripping them would change the letter ("й").
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text.translate(_LATIN_EXTRA)):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def strip_possessive(text: str) -> str:
    """``text`` without a final possessive ("Iran's", "Iran’s", "Russians'")."""
    normalised = text.translate(_APOSTROPHES)
    stripped = _POSSESSIVE_RE.sub("", normalised)
    return stripped if stripped else normalised


# Keys and display forms are pure functions of short strings that recur on every page ("Iran"):
# memoising them is the largest single saving in the rules backend.
_CACHE_SIZE = 1 << 16


@functools.lru_cache(maxsize=_CACHE_SIZE)
def name_key(text: str) -> str:
    """The comparison key: no possessive, no Latin accents, case-folded, no dots, dashes as spaces.

    "U.S." and "US" share a key, so do "al-Assad" and "Al Assad".
    """
    base = fold_latin(strip_possessive(text.strip())).casefold()
    base = _KEY_DASHES_RE.sub(" ", _KEY_DOTS_RE.sub("", base))
    return _SPACES_RE.sub(" ", base).strip()


def _normalise_word_case(word: str) -> str:
    """One word in display case: all-lower or long all-caps words become Capitalised.

    Short all-caps words (<= 3 letters) are kept as acronyms ("DW", "EU"); mixed case is kept as
    written ("McDonald", "iPhone") because it carries information.
    """
    letters = [ch for ch in word if ch.isalpha()]
    if not letters:
        return word
    is_lower = all(ch.islower() for ch in letters if ch.lower() != ch.upper())
    is_upper = all(ch.isupper() for ch in letters if ch.lower() != ch.upper())
    if is_lower or (is_upper and len(letters) > 3):
        return word[:1].upper() + word[1:].lower()
    return word


@functools.lru_cache(maxsize=_CACHE_SIZE)
def display_name(text: str) -> str:
    """The canonical display form of an unknown name: possessive off, accents folded, case fixed."""
    words = _SPACES_RE.split(fold_latin(strip_possessive(text.strip())))
    return " ".join(_normalise_word_case(word) for word in words if word)
