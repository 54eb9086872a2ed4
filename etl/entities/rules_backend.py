"""The ``rules`` backend: gazetteer matching with Aho-Corasick plus the shared patterns.

No model, no tokenizer: one automaton pass per page over the reference names (alias seed,
countries, large cities, demonyms), case-exact and on word boundaries, so "Iran" matches and the
"iran" inside "Tiran" does not. Fast enough for whole-archive runs; recall is limited to names it
knows plus titled persons. ``annotate`` runs ``rules_page`` (the page pass); the general path
(the same matcher per text + ``assemble.page_mentions``) is kept as its reference and fallback.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from etl.entities.assemble import page_mentions
from etl.entities.canonical import Named, SurfaceLookup, lookup_surface, unlinked_name
from etl.entities.reference import DEFAULT_MIN_CITY_POPULATION, Reference, load_reference
from etl.entities.rules_page import (
    Scanner,
    build_scanner,
    gazetteer_matches,
    join_texts,
    rules_page_mentions,
)
from etl.entities.settings import RULES_BACKEND
from etl.entities.spans import PRIORITY_GAZETTEER, RawSpan
from etl.records import Mention, PageEntityInput

# Upper-case variants are added for names at least this long ("IRAN" in shouted headlines);
# shorter ones would collide with acronyms.
_MIN_UPPER_VARIANT = 4


def surface_variants(surface: str) -> tuple[str, ...]:
    """The forms matched for one reference surface: as written, and ALL CAPS when long enough."""
    upper = surface.upper()
    if upper != surface and sum(ch.isalpha() for ch in surface) >= _MIN_UPPER_VARIANT:
        return (surface, upper)
    return (surface,)


class GazetteerEntry(NamedTuple):
    """The automaton's value for one form: everything a match needs, computed once per form.

    ``lookup`` and ``named`` are ``canonical.lookup_surface`` and ``canonical.unlinked_name`` of
    the form itself (a match's surface is the form, the automaton being case-exact), so a page
    without surname linking turns a match into a mention without any further lookup, and its
    text is ``form`` (no slice of the page).
    """

    form: str
    label: str
    lookup: SurfaceLookup
    named: Named


def build_automaton(reference: Reference) -> Scanner:
    """The matcher over every surface variant (``rules_page.Scanner``), first name wins."""
    return build_scanner(gazetteer_forms(reference))


def gazetteer_forms(reference: Reference) -> list[tuple[str, GazetteerEntry]]:
    """Every surface variant with its entry, first name wins (the automaton's keys and values)."""
    forms: dict[str, GazetteerEntry] = {}
    for name in reference.names:
        for form in surface_variants(name.surface):
            if form not in forms:
                found = lookup_surface(form, reference)
                forms[form] = GazetteerEntry(
                    form, name.label, found, unlinked_name(name.label, found)
                )
    return list(forms.items())


@functools.cache
def cached_automaton(alias_path: Path | None, min_population: int) -> Scanner:
    """One matcher per process and configuration, built on first use (never at import)."""
    return build_automaton(load_reference(alias_path, min_population))


def gazetteer_spans(text: str, automaton: Scanner) -> list[RawSpan]:
    """Whole-word reference names in ``text``: the leftmost-longest match at each point.

    The automaton (``ahocorasick_rs``, Rust) does the leftmost-longest choice ("Central Asian",
    not "Asia" inside it), so Python sees only candidate names; a match glued to a word is
    dropped. True leftmost-longest: pyahocorasick's ``iter_long``, used before, dropped a name
    that started inside a longer name's failed partial match ("Georgia" in "South Georgia and
    the Falklands", where only "South Georgia and the South Sandwich Islands" is known).
    """
    joined, _ = join_texts([text])
    labels = automaton.labels
    return [
        RawSpan(start - 1, end - 1, labels[index], PRIORITY_GAZETTEER)
        for index, start, end in gazetteer_matches(joined, automaton)
    ]


@dataclass(frozen=True)
class RulesBackend:
    """Gazetteer + pattern entity backend; stateless apart from the per-process automaton cache.

    ``fast`` selects ``rules_page.rules_page_mentions``, which gives the same mentions as the
    general ``assemble.page_mentions`` path (kept for comparison; tests assert equality) several
    times faster.
    """

    keep_labels: frozenset[str] = frozenset()
    alias_path: Path | None = None
    min_population: int = DEFAULT_MIN_CITY_POPULATION
    name: str = RULES_BACKEND
    fast: bool = True

    def annotate(self, pages: Sequence[PageEntityInput]) -> list[list[Mention]]:
        """One mention list per page, in input order."""
        reference = load_reference(self.alias_path, self.min_population)
        scanner = cached_automaton(self.alias_path, self.min_population)
        results: list[list[Mention]] = []
        for page in pages:
            found = rules_page_mentions(page, scanner, reference) if self.fast else None
            if found is None:
                found = page_mentions(
                    page,
                    [gazetteer_spans(t.text, scanner) for t in page.texts],
                    reference,
                    self.keep_labels,
                )
            results.append(found)
        return results
