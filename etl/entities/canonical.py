"""Canonical names: one form per real-world name, within a page and across pages.

Rules, in order (each a pure function of the mention, the page's other mentions and the reference
table, so the result never depends on page order):
1. A mention whose key (``names.name_key``) is in the reference table (alias seed first, then
   gazetteers) takes the table's canonical form: "Putin" -> "Vladimir Putin", "IRAN" -> "Iran".
2. Otherwise its display form: possessive off, Latin accents folded, case normalised
   ("PEZESHKIÁN's" -> "Pezeshkian").
3. A known name takes the table's label when the mention's label is another name label: the
   model's "Shiraz" (PERSON) or "Vilnius" (ORG) become GPE. "Washington" the person loses here.
4. Within a page, a one-word mention that equals the last word of a multi-word PERSON on the same
   page links to that person ("Smolentceva" -> "Natalia Smolentceva") and is labelled PERSON,
   unless the table knows the word as something else. Several candidates: the most frequent wins,
   ties broken alphabetically.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from etl.entities.names import display_name, name_key
from etl.entities.reference import Reference
from etl.entities.settings import HASHTAG

# Labels whose one-word mentions may be a person's surname mislabelled by the model.
_RELINKABLE_LABELS = frozenset({"PERSON", "NORP", "GPE", "ORG", "LOC"})


class Named(NamedTuple):
    """A mention's label and canonical name after page-level linking (a NamedTuple: one per
    mention, built in the rules backend's hot loop)."""

    label: str
    canonical_name: str


class _Lookup(NamedTuple):
    """What the reference says about one surface: its key, canonical form and known label."""

    key: str
    canonical_name: str
    known_label: str | None


@functools.lru_cache(maxsize=1 << 16)
def _lookup(surface: str, reference: Reference) -> _Lookup:
    """Rules 1 and 2 for one surface, memoised: the same names recur on every page."""
    key = name_key(surface)
    known = reference.by_key.get(key)
    if known is None:
        return _Lookup(key, display_name(surface), None)
    return _Lookup(key, known.canonical_name, known.label)


def base_canonical(surface: str, reference: Reference) -> str:
    """Rule 1 or 2: the table's canonical form for a known key, else the display form."""
    return _lookup(surface, reference).canonical_name


def _surname_index(labels: Sequence[str], canonicals: Sequence[str]) -> dict[str, str]:
    """Last-word key -> the full PERSON name it links to on this page (most frequent, then A-Z)."""
    counts: dict[str, Counter[str]] = {}
    for label, canonical in zip(labels, canonicals, strict=True):
        if label == "PERSON" and " " in canonical:
            words = canonical.split()
            counts.setdefault(name_key(words[-1]), Counter())[canonical] += 1
    return {
        key: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for key, counter in counts.items()
    }


def canonicalise_page(mentions: Sequence[tuple[str, str]], reference: Reference) -> list[Named]:
    """Label and canonical name for each ``(label, surface)`` of one page, in the same order."""
    lookups = [_lookup(surface, reference) for _, surface in mentions]
    surnames = _surname_index(
        [label for label, _ in mentions], [found.canonical_name for found in lookups]
    )
    named: list[Named] = []
    for (label, _), (key, canonical, known_label) in zip(mentions, lookups, strict=True):
        full = surnames.get(key) if surnames and label in _RELINKABLE_LABELS else None
        if (
            full is not None
            and " " not in key
            and label != HASHTAG
            and known_label in (None, "PERSON")
        ):
            named.append(Named("PERSON", full))
        elif known_label is not None and label in _RELINKABLE_LABELS:
            named.append(Named(known_label, canonical))
        else:
            named.append(Named(label, canonical))
    return named
