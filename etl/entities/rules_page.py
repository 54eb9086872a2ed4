"""The ``rules`` backend's page pass: ``assemble.page_mentions`` specialised to gazetteer spans.

``assemble.page_mentions`` is the shared tail of both backends and works text by text on
``RawSpan`` lists. For the rules backend most of that work is an identity (gazetteer spans need no
cleaning, no compound splitting, and are already sorted and disjoint), yet it cost ~10 µs per
mention in Python calls and short-lived objects. This module computes the *same* mentions (the
tests compare both paths on the dev set and a synthetic corpus) with a budget of about 1 µs per
mention:

* The page's texts are joined with ``"\\n"`` and scanned once (gazetteer automaton, title-word
  automaton, channel ``find``); no reference name, title word, channel name or name run contains a
  line break, so no match crosses two texts, and ``"\\n"`` is a word boundary like a text's edge.
  Overlap resolution is cluster-local (``spans.resolve_overlaps``), so resolving in joined
  coordinates equals resolving text by text. Hashtags are still scanned per text, only in texts
  with a '#'.
* Gazetteer matches stay plain tuples that carry their automaton entry (label, surface lookup and
  canonical name computed once per form); only the few gazetteer spans a pattern span overlaps
  go through ``resolve_overlaps``.
* Canonical names come from the entries unless the page has a multi-word PERSON (surname
  linking); other spans use the memoised ``canonical.lookup_surface``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

import ahocorasick_rs

from etl.entities.assemble import names_of_people, propagated_spans
from etl.entities.canonical import (
    Named,
    SurfaceLookup,
    link_name,
    lookup_surface,
    surname_index,
    unlinked_name,
)
from etl.entities.patterns import (
    TRIGGER_FORMS,
    hashtag_spans,
    literal_spans,
    name_run,
    possessive_person_spans,
)
from etl.entities.reference import Reference
from etl.entities.spans import (
    PRIORITY_CHANNEL,
    PRIORITY_GAZETTEER,
    PRIORITY_PATTERN,
    RawSpan,
    resolve_overlaps,
)
from etl.records import EntityText, Mention, PageEntityInput

# A gazetteer match: the RawSpan fields as a plain tuple (no NamedTuple constructor per match)
# plus the automaton entry (``rules_backend.GazetteerEntry``).
Entry = tuple[int, str, SurfaceLookup, Named]
Match = tuple[int, int, str, int, Entry]
# A span after overlap resolution: a gazetteer ``Match`` or a pattern ``RawSpan``.
Resolved = Match | RawSpan

_JOIN = "\n"
_POSSESSIVE_MARKS = ("'s", "’s")
_new_mention = tuple.__new__
_by_start = itemgetter(0)


def join_texts(texts: Sequence[EntityText]) -> tuple[str, list[int]]:
    """The page's texts joined with a line break, and where each text starts in the result."""
    starts: list[int] = []
    at = 0
    for entity_text in texts:
        starts.append(at)
        at += len(entity_text.text) + len(_JOIN)
    return _JOIN.join(entity_text.text for entity_text in texts), starts


@dataclass(frozen=True, slots=True, eq=False)
class Scanner:
    """The page pass's two automata (``ahocorasick_rs``, matching in Rust) and their payloads.

    ``gazetteer`` is leftmost-longest over the same forms as ``rules_backend.build_automaton``
    (pattern index -> ``entries``), ``triggers`` reports every (overlapping) title word like
    ``patterns.trigger_person_spans``'s automaton. ``ahocorasick_rs`` returns all matches of a
    text as one list of character offsets, several times faster than iterating pyahocorasick.
    """

    gazetteer: ahocorasick_rs.AhoCorasick
    entries: tuple[Entry, ...]
    triggers: ahocorasick_rs.AhoCorasick


def build_scanner(forms: Sequence[tuple[str, Entry]]) -> Scanner:
    """A scanner over ``(form, entry)`` pairs (distinct forms, first entry as in the automaton)."""
    return Scanner(
        ahocorasick_rs.AhoCorasick(
            [form for form, _ in forms],
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA,
        ),
        tuple(entry for _, entry in forms),
        ahocorasick_rs.AhoCorasick(sorted(TRIGGER_FORMS)),
    )


def gazetteer_matches(joined: str, scanner: Scanner) -> list[Match]:
    """``rules_backend.gazetteer_spans`` on the joined text, as tuples carrying their entry."""
    matches: list[Match] = []
    entries = scanner.entries
    size = len(joined)
    for index, start, end in scanner.gazetteer.find_matches_as_indexes(joined):
        if start > 0:
            before = joined[start - 1]
            if before.isalpha() or before == "_":
                continue
        if end < size:
            after = joined[end]
            if after.isalnum() or after == "_":
                continue
        entry = entries[index]
        matches.append((start, end, entry[1], PRIORITY_GAZETTEER, entry))
    return matches


def trigger_spans(joined: str, scanner: Scanner) -> list[RawSpan]:
    """``patterns.trigger_person_spans`` of the joined text.

    A title word must be followed by a space or tab for ``name_run`` to find a name, so other
    hits (the "king" in "making") are skipped before the call.
    """
    spans: list[RawSpan] = []
    size = len(joined)
    for _, start, end in scanner.triggers.find_matches_as_indexes(joined, overlapping=True):
        if end >= size or joined[end] not in " \t":
            continue
        if start > 0 and (joined[start - 1].isalpha() or joined[start - 1] == "_"):
            continue
        run = name_run(joined, end)
        if run is not None:
            spans.append(RawSpan(run[0], run[1], "PERSON", PRIORITY_PATTERN))
    return spans


def joined_pattern_spans(
    joined: str,
    texts: Sequence[EntityText],
    starts: Sequence[int],
    channel: str,
    matches: Sequence[Match],
    scanner: Scanner,
) -> list[RawSpan]:
    """``patterns.pattern_spans`` of every text, in joined coordinates (order irrelevant).

    Each scan runs only where it can match: hashtags in texts with '#', the channel where its
    name occurs, possessive persons when the page has a possessive.
    """
    found: list[RawSpan] = []
    if "#" in joined:
        for entity_text, offset in zip(texts, starts, strict=True):
            if "#" in entity_text.text:
                found += [
                    RawSpan(s.start + offset, s.end + offset, s.label, s.priority)
                    for s in hashtag_spans(entity_text.text)
                ]
    channel_found = (
        literal_spans(joined, channel, "ORG", PRIORITY_CHANNEL)
        if channel and channel in joined
        else []
    )
    found += channel_found
    found += trigger_spans(joined, scanner)
    if any(mark in joined for mark in _POSSESSIVE_MARKS):
        orgs = [RawSpan(*m[:4]) for m in matches if m[2] == "ORG"] + channel_found
        found += possessive_person_spans(joined, orgs)
    return found


def merge_spans(matches: Sequence[Match], extra: Sequence[RawSpan]) -> list[Resolved]:
    """``resolve_overlaps`` of ``matches`` (disjoint, sorted) plus ``extra``, sorted by start.

    Only the matches some extra span overlaps can lose or change anything: gazetteer matches are
    disjoint, so every cluster of overlapping spans that holds a match also holds an extra span
    overlapping it, and ``resolve_overlaps`` decides each cluster on its own.
    """
    ends = [m[1] for m in matches]
    touched: set[int] = set()
    for span in extra:
        at = bisect.bisect_right(ends, span.start)  # first match ending after the span starts
        while at < len(matches) and matches[at][0] < span.end:
            touched.add(at)
            at += 1
    if not touched:
        kept: list[Resolved] = [*matches]
    else:
        kept = [m for i, m in enumerate(matches) if i not in touched]
    contested = [RawSpan(*matches[i][:4]) for i in touched]
    kept += resolve_overlaps([*contested, *extra])
    kept.sort(key=_by_start)
    return kept


def _with_propagation(
    joined: str, matches: Sequence[Match], patterns: Sequence[RawSpan], reference: Reference
) -> list[Resolved]:
    """Resolved spans after ``assemble.page_mentions``'s person propagation step."""
    resolved: list[Resolved] = [*matches]
    if patterns:
        resolved = merge_spans(matches, patterns)
    people = [(span[0], span[1]) for span in resolved if span[2] == "PERSON"]
    if not people:
        return resolved
    names = names_of_people((joined[start:end] for start, end in people), reference)
    if not names:
        return resolved
    # People are disjoint and sorted: only the last one starting at or before a span can hold it.
    people_starts = [start for start, _ in people]
    extra = [
        span for span in propagated_spans(joined, names) if not _inside(people, people_starts, span)
    ]
    return merge_spans(matches, [*patterns, *extra]) if extra else resolved


def _inside(spans: Sequence[tuple[int, int]], starts: Sequence[int], span: RawSpan) -> bool:
    """True when ``span`` lies within one of ``spans`` (disjoint, sorted; ``starts`` theirs)."""
    at = bisect.bisect_right(starts, span.start) - 1
    return at >= 0 and span.end <= spans[at][1]


def _names(joined: str, resolved: Sequence[Resolved], reference: Reference) -> list[Named]:
    """``canonical.canonicalise_page`` of the resolved spans, reusing the matches' entries."""
    lookups: list[SurfaceLookup] = [
        span[4][2] if len(span) == 5 else lookup_surface(joined[span[0] : span[1]], reference)
        for span in resolved
    ]
    people = [i for i, span in enumerate(resolved) if span[2] == "PERSON"]
    surnames = surname_index(["PERSON"] * len(people), [lookups[i].canonical_name for i in people])
    if surnames:
        # Only a one-word key that is some PERSON's last word can be relinked.
        return [
            link_name(span[2], found, surnames)
            if found.key in surnames or len(span) != 5
            else span[4][3]
            for span, found in zip(resolved, lookups, strict=True)
        ]
    return [
        span[4][3] if len(span) == 5 else unlinked_name(span[2], found)
        for span, found in zip(resolved, lookups, strict=True)
    ]


def rules_page_mentions(
    page: PageEntityInput, scanner: Scanner, reference: Reference
) -> list[Mention] | None:
    """The page's mentions as ``assemble.page_mentions`` would give them for gazetteer spans.

    None when the page cannot be joined safely (a channel name spanning lines could match across
    two texts); the caller then takes the general path.
    """
    channel = page.channel.strip() if page.channel else ""
    if _JOIN in channel:
        return None
    texts = page.texts
    joined, starts = join_texts(texts)
    matches = gazetteer_matches(joined, scanner)
    patterns = joined_pattern_spans(joined, texts, starts, channel, matches, scanner)
    resolved = _with_propagation(joined, matches, patterns, reference)
    named = _names(joined, resolved, reference)
    mentions: list[Mention] = []
    index = 0
    offset = 0
    next_start = starts[1] if len(starts) > 1 else len(joined) + 1
    source = texts[0].source if texts else "title"
    comment_index = texts[0].comment_index if texts else None
    for span, (label, canonical) in zip(resolved, named, strict=True):
        start, end = span[0], span[1]
        if start >= next_start:
            while start >= next_start:
                index += 1
                next_start = starts[index + 1] if index + 1 < len(starts) else len(joined) + 1
            offset = starts[index]
            source = texts[index].source
            comment_index = texts[index].comment_index
        mentions.append(
            _new_mention(
                Mention,
                (
                    source,
                    joined[start:end],
                    label,
                    start - offset,
                    end - offset,
                    canonical,
                    comment_index,
                ),
            )
        )
    return mentions
