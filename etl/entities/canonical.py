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
from collections.abc import Mapping, Sequence
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


class SurfaceLookup(NamedTuple):
    """What the reference says about one surface: its key, canonical form and known label."""

    key: str
    canonical_name: str
    known_label: str | None


@functools.lru_cache(maxsize=1 << 16)
def lookup_surface(surface: str, reference: Reference) -> SurfaceLookup:
    """Rules 1 and 2 for one surface, memoised: the same names recur on every page.

    Pure in ``surface`` (the reference is per process), which is what lets the rules backend
    compute it once per gazetteer form when it builds its automaton.
    """
    key = name_key(surface)
    known = reference.by_key.get(key)
    if known is None:
        return SurfaceLookup(key, display_name(surface), None)
    return SurfaceLookup(key, known.canonical_name, known.label)


def base_canonical(surface: str, reference: Reference) -> str:
    """Rule 1 or 2: the table's canonical form for a known key, else the display form."""
    return lookup_surface(surface, reference).canonical_name


def unlinked_name(label: str, found: SurfaceLookup) -> Named:
    """Rules 1-3 without rule 4: the result for a mention on a page with no multi-word PERSON."""
    if found.known_label is not None and label in _RELINKABLE_LABELS:
        return Named(found.known_label, found.canonical_name)
    return Named(label, found.canonical_name)


def surname_index(labels: Sequence[str], canonicals: Sequence[str]) -> dict[str, str]:
    """Last-word key -> the full PERSON name it links to on this page (most frequent, then A-Z)."""
    counts: dict[str, dict[str, int]] = {}
    for label, canonical in zip(labels, canonicals, strict=True):
        if label == "PERSON" and (key := last_word_key(canonical)) is not None:
            per_key = counts.setdefault(key, {})
            per_key[canonical] = per_key.get(canonical, 0) + 1
    return surnames_of(counts)


def surnames_of(counts: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """``surname_index`` given, per last-word key, how often each full name occurs."""
    return {
        key: next(iter(per_key)) if len(per_key) == 1 else min(per_key.items(), key=_rank)[0]
        for key, per_key in counts.items()
    }


@functools.lru_cache(maxsize=1 << 16)
def last_word_key(canonical: str) -> str | None:
    """The key of a multi-word name's last word, None for one word (memoised: the same people
    recur on every page)."""
    return name_key(canonical.split()[-1]) if " " in canonical else None


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    """Sort key of ``surname_index``'s candidates: most frequent first, then alphabetical."""
    return -item[1], item[0]


def link_name(label: str, found: SurfaceLookup, surnames: Mapping[str, str]) -> Named:
    """Rules 1-4 for one mention given the page's ``surname_index``."""
    full = surnames.get(found.key) if surnames and label in _RELINKABLE_LABELS else None
    if (
        full is not None
        and " " not in found.key
        and label != HASHTAG
        and found.known_label in (None, "PERSON")
    ):
        return Named("PERSON", full)
    return unlinked_name(label, found)


def link_page(labels: Sequence[str], lookups: Sequence[SurfaceLookup]) -> list[Named]:
    """Label and canonical name per mention of one page, from its label and surface lookup."""
    surnames = surname_index(labels, [found.canonical_name for found in lookups])
    if not surnames:
        return [unlinked_name(label, found) for label, found in zip(labels, lookups, strict=True)]
    return [link_name(label, found, surnames) for label, found in zip(labels, lookups, strict=True)]


def canonicalise_page(mentions: Sequence[tuple[str, str]], reference: Reference) -> list[Named]:
    """Label and canonical name for each ``(label, surface)`` of one page, in the same order."""
    return link_page(
        [label for label, _ in mentions],
        [lookup_surface(surface, reference) for _, surface in mentions],
    )
