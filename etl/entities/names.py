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


# All-caps words up to this many letters are taken for acronyms ("DW", "NATO", "FIFA"); longer
# ones for shouting ("SMOLENTCEVA"). Shouted short names ("IRAN", "GAZA") are in the reference.
_MAX_ACRONYM_LETTERS = 4


def _case_of(word: str) -> str:
    """ "lower", "upper" or "mixed" over the word's cased letters ("" when it has none)."""
    cased = [ch for ch in word if ch.lower() != ch.upper()]
    if not cased:
        return ""
    if all(ch.islower() for ch in cased):
        return "lower"
    return "upper" if all(ch.isupper() for ch in cased) else "mixed"


def _capitalised(word: str) -> str:
    """``word`` with its first character upper case and the rest lower case."""
    return word[:1].upper() + word[1:].lower()


@functools.lru_cache(maxsize=_CACHE_SIZE)
def display_name(text: str) -> str:
    """The canonical display form of an unknown name: possessive off, accents folded, case fixed.

    A name written all in lower case is capitalised word by word ("smolentceva" -> "Smolentceva").
    Otherwise lower-case words are particles and stay ("Ayuntamiento de Paiporta"), long all-caps
    words are shouting and get capitalised ("SMOLENTCEVA"), short ones are acronyms and stay
    ("DW"), and mixed case is kept as written ("McDonald", "iPhone").
    """
    words = [w for w in _SPACES_RE.split(fold_latin(strip_possessive(text.strip()))) if w]
    if _case_of("".join(words)) == "lower":
        return " ".join(_capitalised(word) for word in words)
    shown: list[str] = []
    for word in words:
        letters = sum(ch.isalpha() for ch in word)
        is_shouted = _case_of(word) == "upper" and letters > _MAX_ACRONYM_LETTERS
        shown.append(_capitalised(word) if is_shouted else word)
    return " ".join(shown)
