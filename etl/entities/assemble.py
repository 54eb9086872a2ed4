"""Backend-independent tail of entity extraction: raw spans of a page -> sorted ``Mention``s.

Both backends hand over, per page, one list of ``RawSpan`` per ``EntityText``; this module adds
the shared pattern spans (hashtags, channel, titled persons), cleans, resolves overlaps, finds the
page's person names again where the backend missed them, canonicalises at page level and builds
the records. Keeping it shared is what makes the two backends' outputs comparable row for row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from etl.entities.canonical import canonicalise_page
from etl.entities.names import name_key
from etl.entities.patterns import literal_spans, pattern_spans
from etl.entities.reference import Reference
from etl.entities.spans import PRIORITY_BACKEND, PRIORITY_GAZETTEER, RawSpan, clean_spans
from etl.records import Mention, PageEntityInput

_COMPOUND_SEPARATORS_RE = re.compile(r"[-–/]")


def split_known_compounds(
    text: str, spans: Sequence[RawSpan], reference: Reference
) -> list[RawSpan]:
    """Model spans like "Russian-Iranian" or "Israel-Hamas" split into their known parts.

    A span is split only when every part between '-', '–' or '/' is a name the reference knows;
    each part takes the reference's label. Other spans pass through unchanged.
    """
    result: list[RawSpan] = []
    for span in spans:
        surface = text[span.start : span.end]
        if span.priority != PRIORITY_BACKEND or not _COMPOUND_SEPARATORS_RE.search(surface):
            result.append(span)
            continue
        parts: list[RawSpan] = []
        offset = span.start
        for piece in _COMPOUND_SEPARATORS_RE.split(surface):
            known = reference.by_key.get(name_key(piece))
            if known is None or not piece:
                parts = []
                break
            parts.append(RawSpan(offset, offset + len(piece), known.label, span.priority))
            offset += len(piece) + 1
        result.extend(parts if len(parts) > 1 else [span])
    return result


def person_names(
    texts: Sequence[str], located: Sequence[tuple[int, RawSpan]], reference: Reference
) -> list[str]:
    """Multi-word PERSON names found on the page and their last words (sorted, for determinism).

    The last word must look like a surname (capitalised, 3+ letters) and must not be a name the
    reference knows as something else ("George Washington" does not make "Washington" a person).
    """
    return names_of_people(
        (texts[index][span.start : span.end] for index, span in located if span.label == "PERSON"),
        reference,
    )


def names_of_people(surfaces: Iterable[str], reference: Reference) -> list[str]:
    """``person_names`` given the surfaces of the page's PERSON spans."""
    names: set[str] = set()
    for surface in surfaces:
        names.update(_person_name_forms(surface, reference))
    return sorted(names)


@functools.lru_cache(maxsize=1 << 16)
def _person_name_forms(surface: str, reference: Reference) -> tuple[str, ...]:
    """The names one PERSON surface contributes: none for one word, else the words joined by
    single spaces and, when it looks like a surname the reference does not know as something
    else, the last word (memoised: the same people recur on every page)."""
    words = surface.split()
    if len(words) < 2:
        return ()
    last = words[-1]
    known = reference.by_key.get(name_key(last))
    if len(last) >= 3 and last[0].isupper() and (known is None or known.label == "PERSON"):
        return (" ".join(words), last)
    return (" ".join(words),)


def propagated_spans(text: str, names: Sequence[str]) -> list[RawSpan]:
    """Every occurrence of the page's person names in ``text``, at gap-filling priority.

    The model often finds "Elon Musk" once and misses the bare "Musk" later; within one page the
    same word is the same person.
    """
    return [
        span
        for name in names
        if name in text
        for span in literal_spans(text, name, "PERSON", PRIORITY_GAZETTEER)
    ]


def page_mentions(
    page: PageEntityInput,
    backend_spans: Sequence[Sequence[RawSpan]],
    reference: Reference,
    keep_labels: frozenset[str] = frozenset(),
) -> list[Mention]:
    """The page's mentions sorted by (text order, start_char); ``backend_spans`` aligns with texts.

    Invariant: ``page.texts[i].text[m.start_char:m.end_char] == m.text`` for every mention.
    """
    if len(backend_spans) != len(page.texts):
        raise ValueError(f"{len(backend_spans)} span lists for {len(page.texts)} texts")
    texts = [entity_text.text for entity_text in page.texts]
    candidates = [
        [*split_known_compounds(text, spans, reference), *pattern_spans(text, page.channel, spans)]
        for text, spans in zip(texts, backend_spans, strict=True)
    ]
    cleaned = [
        clean_spans(text, spans, keep_labels) for text, spans in zip(texts, candidates, strict=True)
    ]
    names = person_names(
        texts, [(i, s) for i, spans in enumerate(cleaned) for s in spans], reference
    )
    if names:
        for index, text in enumerate(texts):
            people = [s for s in cleaned[index] if s.label == "PERSON"]
            extra = [
                s
                for s in propagated_spans(text, names)
                if not any(p.start <= s.start and s.end <= p.end for p in people)
            ]
            if extra:
                cleaned[index] = clean_spans(text, [*candidates[index], *extra], keep_labels)
    located = [(index, span) for index, spans in enumerate(cleaned) for span in spans]
    surfaces = [(span.label, texts[index][span.start : span.end]) for index, span in located]
    named = canonicalise_page(surfaces, reference)
    mentions: list[Mention] = []
    for (index, span), (_, surface), name in zip(located, surfaces, named, strict=True):
        source = page.texts[index]
        mentions.append(
            Mention(
                source=source.source,
                text=surface,
                label=name.label,
                start_char=span.start,
                end_char=span.end,
                canonical_name=name.canonical_name,
                comment_index=source.comment_index,
            )
        )
    return mentions
