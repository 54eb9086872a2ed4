"""The ``rules`` backend's page pass: ``assemble.page_mentions`` specialised to gazetteer spans.

``assemble.page_mentions`` is the shared tail of both backends and works text by text on
``RawSpan`` lists. For the rules backend most of that work is an identity (gazetteer spans need no
cleaning, no compound splitting, and are already sorted and disjoint), yet it cost ~10 µs per
mention in Python calls and short-lived objects. This module computes the *same* mentions (the
tests compare both paths on the dev set, a synthetic corpus and generated pages) in about a
third of the time (NOTES.md has the measurements):

* The page's texts are joined with ``"\\n"`` and scanned once (gazetteer automaton, cue automaton,
  hashtag regex, channel ``find``); no title word, hashtag or name run contains a line break,
  nor may the channel or a reference form (else the page takes the general path), so no match
  crosses two texts, and
  ``"\\n"`` is a word boundary like a text's edge. The automata are ``ahocorasick_rs`` (Rust):
  one call returns all matches of the page (iterating pyahocorasick cost ~50 µs per page).
  Overlap resolution is cluster-local (``spans.resolve_overlaps``), so resolving in joined
  coordinates equals resolving text by text.
* Gazetteer matches stay plain tuples that carry their automaton entry (form, label, surface
  lookup and canonical name computed once per form); only the few gazetteer spans a pattern span
  overlaps go through ``resolve_overlaps``, and the propagated person names are merged into that
  first resolution (``_with_propagation`` says why that equals resolving everything again).
* Canonical names come from the entries unless the page has a multi-word PERSON (surname
  linking); other spans use the memoised ``canonical.lookup_surface``. They are computed while
  the records are built.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import ahocorasick_rs

from etl.entities.assemble import names_of_people
from etl.entities.canonical import (
    Named,
    SurfaceLookup,
    link_name,
    lookup_surface,
    surname_index,
)
from etl.entities.patterns import (
    TRIGGER_FORMS,
    is_word_boundary,
    literal_spans,
    name_run,
)
from etl.entities.reference import Reference
from etl.entities.settings import HASHTAG
from etl.entities.spans import (
    PRIORITY_CHANNEL,
    PRIORITY_GAZETTEER,
    PRIORITY_HASHTAG,
    PRIORITY_PATTERN,
    RawSpan,
    resolve_overlaps,
)
from etl.records import EntityText, Mention, PageEntityInput
from etl.textscan import hashtag_offsets

# A gazetteer match: the RawSpan fields as a plain tuple (no NamedTuple constructor per match)
# plus the automaton entry (``rules_backend.GazetteerEntry``).
Entry = tuple[str, str, SurfaceLookup, Named]
Match = tuple[int, int, str, int, Entry]
# A span after overlap resolution: a gazetteer ``Match`` or a pattern ``RawSpan``.
Resolved = Match | RawSpan

_JOIN = "\n"
# ``name_run`` needs a space or tab right after a title word, so the trigger automaton holds each
# title word followed by one: it reports only hits that can start a name ("king " but not the
# "king" in "making").
_BLANKS = (" ", "\t")
_CUE_FORMS = tuple(form + blank for form in sorted(TRIGGER_FORMS) for blank in _BLANKS)
# ``patterns.POSSESSIVE_GAP_RE`` as literals (an apostrophe and "s" before a blank), in the same
# automaton: one scan finds both kinds of cue, and ``str.find`` on a page with an emoji (a UCS-4
# string) costs as much as the scan.
_POSSESSIVE_CUES = tuple(mark + blank for mark in ("'s", "’s") for blank in _BLANKS)
_new_mention = tuple.__new__
# ``RawSpan(...)`` runs the NamedTuple's Python-level ``__new__``; this builds the same tuple in C.
_new_span = tuple.__new__
_by_start = itemgetter(0)
_PERSON = "PERSON"


def join_texts(texts: Sequence[str]) -> tuple[str, list[int]]:
    """The page's texts joined with a line break, one more at each end, and where each text
    starts in the result.

    The outer breaks spare the scans a bounds test: every match has a character on each side.
    """
    starts: list[int] = []
    at = 1
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return f"{_JOIN}{_JOIN.join(texts)}{_JOIN}", starts


@dataclass(frozen=True, slots=True, eq=False)
class Scanner:
    """The page pass's two automata (``ahocorasick_rs``, matching in Rust) and their payloads.

    ``gazetteer`` is leftmost-longest over the same forms as ``rules_backend.build_automaton``
    (pattern index -> ``entries``); ``triggers`` reports every occurrence (overlapping ones
    too, like ``patterns.trigger_person_spans``'s automaton) of a title word or a possessive
    followed by a blank (``cue_spans``). ``joinable`` is False when a reference form holds a line
    break (the page pass would then let it match across two texts).
    """

    gazetteer: ahocorasick_rs.AhoCorasick
    entries: tuple[Entry, ...]
    triggers: ahocorasick_rs.AhoCorasick
    joinable: bool = True


def build_scanner(forms: Sequence[tuple[str, Entry]]) -> Scanner:
    """A scanner over ``(form, entry)`` pairs (distinct forms, first entry as in the automaton)."""
    return Scanner(
        ahocorasick_rs.AhoCorasick(
            [form for form, _ in forms],
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA,
        ),
        tuple(entry for _, entry in forms),
        ahocorasick_rs.AhoCorasick(
            [*_CUE_FORMS, *_POSSESSIVE_CUES],
            implementation=ahocorasick_rs.Implementation.DFA,
        ),
        joinable=not any(_JOIN in form for form, _ in forms),
    )


def gazetteer_matches(joined: str, scanner: Scanner) -> list[Match]:
    """``rules_backend.gazetteer_spans`` on the joined text, as tuples carrying their entry.

    ``joined`` comes from ``join_texts`` (a line break at each end), so ``start - 1`` and
    ``end`` are always inside it. Most neighbours are spaces, tested first as the cheapest.
    """
    entries = scanner.entries
    return [
        (start, end, entries[index][1], PRIORITY_GAZETTEER, entries[index])
        for index, start, end in scanner.gazetteer.find_matches_as_indexes(joined)
        if ((before := joined[start - 1]) == " " or not (before.isalpha() or before == "_"))
        and ((after := joined[end]) == " " or not (after.isalnum() or after == "_"))
    ]


def cue_spans(
    joined: str,
    scanner: Scanner,
    matches: Sequence[Match],
    ends: Sequence[int],
    channel_found: Sequence[RawSpan],
) -> list[RawSpan]:
    """``patterns.trigger_person_spans`` and ``patterns.possessive_person_spans`` of the page.

    One scan of ``scanner.triggers`` reports title words followed by a blank (the "king" in
    "making" never reaches Python) and possessives followed by a blank; a possessive counts
    when an ORG match (``ends`` are the matches' ends, increasing: they are disjoint) or the
    channel ends right before it.
    """
    spans: list[RawSpan] = []
    gaps: list[int] = []
    for index, start, end in scanner.triggers.find_matches_as_indexes(joined, overlapping=True):
        if index >= len(_CUE_FORMS):
            gaps.append(start)
            continue
        before = joined[start - 1]
        if before.isalpha() or before == "_":
            continue
        run = name_run(joined, end - 1)
        if run is not None:
            spans.append(_new_span(RawSpan, (run[0], run[1], _PERSON, PRIORITY_PATTERN)))
    for at in gaps:
        found = bisect.bisect_left(ends, at)
        if (found < len(ends) and ends[found] == at and matches[found][2] == "ORG") or any(
            span.end == at for span in channel_found
        ):
            run = name_run(joined, at + 2, min_words=2)
            if run is not None:
                spans.append(_new_span(RawSpan, (run[0], run[1], _PERSON, PRIORITY_PATTERN)))
    return spans


def joined_pattern_spans(
    joined: str, channel: str, matches: Sequence[Match], ends: Sequence[int], scanner: Scanner
) -> list[RawSpan]:
    """``patterns.pattern_spans`` of every text, in joined coordinates (order irrelevant).

    Hashtags come from one regex pass over the joined text (``textscan.hashtag_offsets`` gives
    each text's tags, shifted); title words and possessives from one automaton scan
    (``cue_spans``).
    """
    found = [
        _new_span(RawSpan, (at + 1, at + 1 + len(tag), HASHTAG, PRIORITY_HASHTAG))
        for tag, at in hashtag_offsets(joined)
    ]
    channel_found = literal_spans(joined, channel, "ORG", PRIORITY_CHANNEL) if channel else []
    found += channel_found
    found += cue_spans(joined, scanner, matches, ends, channel_found)
    return found


def merge_spans(
    base: Sequence[Resolved], ends: Sequence[int], extra: Sequence[RawSpan]
) -> list[Resolved]:
    """``resolve_overlaps`` of ``base`` (disjoint, sorted; ``ends`` theirs) plus ``extra``.

    Only the base spans some extra span overlaps can lose or change anything: base spans are
    disjoint, so every cluster of overlapping spans that holds one also holds an extra span
    overlapping it, and ``resolve_overlaps`` decides each cluster on its own. The result is
    sorted by start (resolved spans are disjoint, so starts are distinct): the few winners are
    inserted among the untouched base spans.
    """
    touched: list[int] = []
    count = len(base)
    for span in extra:
        at = bisect.bisect_right(ends, span.start)  # first base span ending after it starts
        while at < count and base[at][0] < span.end:
            touched.append(at)
            at += 1
    if not touched:
        kept: list[Resolved] = [*base]
        winners = resolve_overlaps(extra)
    else:
        touched = sorted(set(touched))
        kept = []
        previous = 0
        for at in touched:
            kept += base[previous:at]
            previous = at + 1
        kept += base[previous:]
        winners = resolve_overlaps([*(_new_span(RawSpan, base[at][:4]) for at in touched), *extra])
    for span in winners:
        bisect.insort(kept, span, key=_by_start)
    return kept


def _with_propagation(
    joined: str,
    matches: Sequence[Match],
    ends: Sequence[int],
    patterns: Sequence[RawSpan],
    reference: Reference,
) -> tuple[Sequence[Resolved], list[Resolved]]:
    """Resolved spans after ``assemble.page_mentions``'s person propagation step, and the
    PERSON spans among them.

    The propagated spans are merged into the first resolution rather than into the matches and
    patterns again: ``resolve_overlaps`` is a greedy choice by rank, and whatever it dropped the
    first time was dropped for a pattern span (gazetteer matches are disjoint), which outranks
    every propagated span and so wins again.
    """
    resolved: Sequence[Resolved] = matches
    if patterns:
        resolved = merge_spans(matches, ends, patterns)
    people = _people(resolved)
    if not people:
        return resolved, people
    names = names_of_people((joined[span[0] : span[1]] for span in people), reference)
    if not names:
        return resolved, people
    extra = propagated_outside(joined, names, people)
    if not extra:
        return resolved, people
    resolved = merge_spans(resolved, [span[1] for span in resolved], extra)
    return resolved, _people(resolved)


def _people(spans: Sequence[Resolved]) -> list[Resolved]:
    """The PERSON spans among ``spans``."""
    return [span for span in spans if span[2] == _PERSON]


def propagated_outside(
    joined: str, names: Sequence[str], people: Sequence[Resolved]
) -> list[RawSpan]:
    """``assemble.propagated_spans`` minus the spans inside a PERSON span already found.

    ``people`` are disjoint and sorted, so only the last one starting at or before an
    occurrence can hold it; most occurrences are such a person itself ("Putin" found by the
    gazetteer) and are dropped before the word-boundary test. A full name whose last word is
    itself a name ("Elon Musk", "Musk") is not searched for: every occurrence of it ends with an
    occurrence of the last word, where it is checked with ``startswith`` (each ``find`` over a
    page with an emoji costs microseconds).
    """
    starts = [span[0] for span in people]
    extra: list[RawSpan] = []
    searched = set(names)
    by_last: dict[str, list[str]] = {}
    for name in names:
        last = name.rpartition(" ")[2]
        if last != name and last in searched:
            by_last.setdefault(last, []).append(name)
    for name in names:
        if name in by_last.get(name.rpartition(" ")[2], ()):
            continue
        longer = by_last.get(name, ())
        size = len(name)
        at = joined.find(name)
        while at >= 0:
            end = at + size
            begins = [at]
            for full in longer:
                begin = end - len(full)
                if begin >= 0 and joined.startswith(full, begin):
                    begins.append(begin)
            for begin in begins:
                # A whole word outside every known person (``starts`` are the people's).
                holder = bisect.bisect_right(starts, begin) - 1
                if (holder < 0 or people[holder][1] < end) and is_word_boundary(joined, begin, end):
                    extra.append(_new_span(RawSpan, (begin, end, _PERSON, PRIORITY_GAZETTEER)))
            at = joined.find(name, at + 1)
    return extra


def _surnames(joined: str, people: Sequence[Resolved], reference: Reference) -> dict[str, str]:
    """``canonical.surname_index`` of the page, from its PERSON spans (no other label counts)."""
    if not people:
        return {}
    canonicals = [
        span[4][2][1] if len(span) == 5 else lookup_surface(joined[span[0] : span[1]], reference)[1]
        for span in people
    ]
    return surname_index(["PERSON"] * len(canonicals), canonicals)


def rules_page_mentions(
    page: PageEntityInput, scanner: Scanner, reference: Reference
) -> list[Mention] | None:
    """The page's mentions as ``assemble.page_mentions`` would give them for gazetteer spans.

    None when the page cannot be joined safely (a channel name or reference form spanning lines
    could match across two texts); the caller then takes the general path. Canonical names
    (``canonical.canonicalise_page``) come from the matches' entries, so only surname linking or
    a pattern span needs a lookup.
    """
    channel = page.channel.strip() if page.channel else ""
    if _JOIN in channel or not scanner.joinable:
        return None
    texts = page.texts
    joined, starts = join_texts([entity_text.text for entity_text in texts])
    matches = gazetteer_matches(joined, scanner)
    ends = [match[1] for match in matches]
    patterns = joined_pattern_spans(joined, channel, matches, ends, scanner)
    resolved, people = _with_propagation(joined, matches, ends, patterns, reference)
    surnames = _surnames(joined, people, reference)
    return _records(joined, texts, starts, resolved, surnames, reference)


def _records(
    joined: str,
    texts: Sequence[EntityText],
    starts: Sequence[int],
    resolved: Sequence[Resolved],
    surnames: Mapping[str, str],
    reference: Reference,
) -> list[Mention]:
    """The ``Mention``s of ``resolved`` (sorted by start), walking the texts alongside.

    Label and canonical name as ``canonical.canonicalise_page`` gives them: a gazetteer match
    takes its entry's unless its key is some PERSON's last word (only such a key can be relinked
    by ``canonical.link_name``); a pattern span is looked up (``link_name`` without surnames is
    ``unlinked_name``).
    """
    mentions: list[Mention] = []
    append = mentions.append
    bounds = [*starts[1:], len(joined) + 1]
    index = 0
    next_start = bounds[0]
    offset = starts[0] if starts else 0
    source = texts[0].source if texts else "title"
    comment_index = texts[0].comment_index if texts else None
    for span in resolved:
        if len(span) == 5:
            start, end, label, _, (surface, _, found, named) = span
            label, canonical = (
                named if found[0] not in surnames else link_name(label, found, surnames)
            )
        else:
            start, end, label, _ = span
            surface = joined[start:end]
            label, canonical = link_name(label, lookup_surface(surface, reference), surnames)
        if start >= next_start:
            while start >= bounds[index]:
                index += 1
            next_start = bounds[index]
            offset = starts[index]
            text = texts[index]
            source = text.source
            comment_index = text.comment_index
        append(
            _new_mention(
                Mention,
                (source, surface, label, start - offset, end - offset, canonical, comment_index),
            )
        )
    return mentions
