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
  one call returns all matches of the page (iterating pyahocorasick cost ~50 µs per page). They
  scan the page as Latin-1 bytes, one per character (``encode``: given a ``str``,
  ``ahocorasick_rs`` maps UTF-8 byte offsets back to characters on every call); the few forms
  with other characters are checked against the text (``gazetteer_matches``).
  Overlap resolution is cluster-local (``spans.resolve_overlaps``), so resolving in joined
  coordinates equals resolving text by text.
* Every span is a plain ``(code, start, end)`` tuple: a gazetteer match is the automaton's own
  ``(entry index, start, end)`` (no tuple per match in Python), a pattern span carries a
  negative code; labels, priorities, texts and canonical names are per code, computed once per
  form (``Scanner``). Only the few gazetteer spans a pattern span overlaps compete with it
  (``merge_spans``, by ``ranked_choice``: ``resolve_overlaps``'s greedy choice in one pass, no
  ``RawSpan`` per span), and the propagated person names are merged into that first resolution
  (``_with_propagation`` says why that equals resolving everything again).
* Canonical names come from the per-entry table, with surname linking applied to the few
  entries a page's surnames can relink (``_linked_infos``); pattern spans from
  ``pattern_info``, memoised per code and text. They are computed while the records are built.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import ahocorasick_rs

from etl.entities.assemble import names_of_people
from etl.entities.canonical import (
    Named,
    SurfaceLookup,
    last_word_key,
    link_name,
    lookup_surface,
    surnames_of,
    unlinked_name,
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
)
from etl.records import EntityText, Mention, PageEntityInput
from etl.textscan import hashtag_offsets

# The automaton's payload for one form (``rules_backend.GazetteerEntry``).
Entry = tuple[str, str, SurfaceLookup, Named]
# Every span of the page pass is a plain ``(code, start, end)`` tuple in joined coordinates, as
# the automaton returns its matches (no tuple per match in Python): ``code`` is the gazetteer
# entry's index, or one of the negative pattern codes below. ``Scanner.labels[code]`` and
# ``Scanner.priorities[code]`` are the span's label and priority either way.
Span = tuple[int, int, int]
HASHTAG_CODE = -4
CHANNEL_CODE = -3
TITLED_CODE = -2  # a name after a title word or an organisation's possessive
PROPAGATED_CODE = -1  # another occurrence of a person name found on the page
_CODE_KINDS = (
    (HASHTAG, PRIORITY_HASHTAG),
    ("ORG", PRIORITY_CHANNEL),
    ("PERSON", PRIORITY_PATTERN),
    ("PERSON", PRIORITY_GAZETTEER),
)
# A mention's text, label and canonical name.
Info = tuple[str, str, str]
# A pattern span's label and canonical name without surname linking, and the lookup key a
# page's surnames would relink it by (None when ``canonical.link_name`` never relinks it).
PatternInfo = tuple[str, str, str | None]
# ``Scanner.pattern_infos`` is emptied when it grows past this (hashtags are many and varied).
_PATTERN_INFOS_MAX = 1 << 16

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
_CUES = (*_CUE_FORMS, *_POSSESSIVE_CUES)
# What ``encode`` writes for a character beyond Latin-1.
_UNKNOWN = b"?"
_FIRST = itemgetter(0)
_new_mention = tuple.__new__
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

    Computed once per entry index: ``labels`` and ``priorities`` (also per negative pattern
    code, from the end), ``infos`` (the mention's text, label and canonical name without surname
    linking), ``canonicals`` (the lookup's canonical form, which ``canonical.surname_index``
    reads) and ``last_keys`` (its last word's key, None for one word), ``people`` (the codes of
    PERSON spans) and ``relinkable`` (per lookup key, the entries a page's surname for that key
    would relink: ``canonical.link_name`` changes nothing for the others). ``pattern_infos``
    memoises ``pattern_info`` per pattern code and text (the same names and tags recur).
    """

    gazetteer: ahocorasick_rs.BytesAhoCorasick
    entries: tuple[Entry, ...]
    triggers: ahocorasick_rs.BytesAhoCorasick
    joinable: bool
    exact: ahocorasick_rs.AhoCorasick
    checked: frozenset[int]
    checked_cues: frozenset[int]
    labels: tuple[str, ...]
    priorities: tuple[int, ...]
    infos: tuple[Info, ...]
    canonicals: tuple[str, ...]
    last_keys: tuple[str | None, ...]
    people: frozenset[int]
    relinkable: Mapping[str, tuple[int, ...]]
    pattern_infos: dict[tuple[int, str], PatternInfo] = field(default_factory=dict)


def build_scanner(forms: Sequence[tuple[str, Entry]]) -> Scanner:
    """A scanner over ``(form, entry)`` pairs (distinct forms, first entry as in the automaton)."""
    entries = tuple(entry for _, entry in forms)
    relinkable: dict[str, list[int]] = {}
    for index, (_, label, found, named) in enumerate(entries):
        # Linked to a full name no page has ("\n" is in none), does it change?
        if link_name(label, found, {found.key: _JOIN}) != named:
            relinkable.setdefault(found.key, []).append(index)
    labels = (*(label for _, label, _, _ in entries), *(label for label, _ in _CODE_KINDS))
    encoded = [encode(form) for form, _ in forms]
    return Scanner(
        ahocorasick_rs.BytesAhoCorasick(
            encoded,
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA,
        ),
        entries,
        ahocorasick_rs.BytesAhoCorasick(
            [encode(cue) for cue in _CUES], implementation=ahocorasick_rs.Implementation.DFA
        ),
        joinable=not any(_JOIN in form for form, _ in forms),
        exact=ahocorasick_rs.AhoCorasick(
            [form for form, _ in forms],
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA,
        ),
        checked=frozenset(index for index, data in enumerate(encoded) if _UNKNOWN in data),
        checked_cues=frozenset(index for index, cue in enumerate(_CUES) if _UNKNOWN in encode(cue)),
        labels=labels,
        priorities=(
            *(PRIORITY_GAZETTEER for _ in entries),
            *(priority for _, priority in _CODE_KINDS),
        ),
        infos=tuple((form, *named) for form, _, _, named in entries),
        canonicals=tuple(found.canonical_name for _, _, found, _ in entries),
        last_keys=tuple(last_word_key(found.canonical_name) for _, _, found, _ in entries),
        people=frozenset(
            code for code in range(-len(_CODE_KINDS), len(entries)) if labels[code] == _PERSON
        ),
        relinkable={key: tuple(indexes) for key, indexes in relinkable.items()},
    )


def encode(text: str) -> bytes:
    """``text`` as the automata read it: one byte per character, Latin-1, "?" for the rest.

    Offsets into the bytes are offsets into the text (``ahocorasick_rs`` given a ``str`` maps
    UTF-8 byte offsets back to characters on every call, which cost more than this encoding).
    A form without "?" in its bytes matches exactly where the text holds it: its bytes are
    Latin-1 characters, and a text character shown as "?" matches none of them. A form with
    "?" (a character beyond Latin-1) may also match other text, so its matches are checked.
    """
    return text.encode("latin-1", "replace")


def gazetteer_matches(joined: str, scanner: Scanner, data: bytes | None = None) -> list[Span]:
    """``rules_backend.gazetteer_spans`` on the joined text, as the automaton's
    ``(entry index, start, end)`` tuples; ``data`` is ``encode(joined)``.

    Leftmost-longest over the encoded forms equals leftmost-longest over the forms when every
    reported match of a checked form (``Scanner.checked``) is in the text: a candidate match
    the scan did not report changed nothing (the leftmost start and the longest form there are
    those of reported matches). Otherwise the page is scanned again as text (``Scanner.exact``).

    ``joined`` comes from ``join_texts`` (a line break at each end), so ``start - 1`` and
    ``end`` are always inside it. Most neighbours are spaces, tested first as the cheapest.
    """
    found = scanner.gazetteer.find_matches_as_indexes(encode(joined) if data is None else data)
    checked = scanner.checked
    if not checked.isdisjoint(map(_FIRST, found)):
        entries = scanner.entries
        if not all(
            joined.startswith(entries[index][0], start)
            for index, start, _ in found
            if index in checked
        ):
            found = scanner.exact.find_matches_as_indexes(joined)
    return [
        match
        for match in found
        if ((before := joined[match[1] - 1]) == " " or not (before.isalpha() or before == "_"))
        and ((after := joined[match[2]]) == " " or not (after.isalnum() or after == "_"))
    ]


def cue_spans(
    joined: str,
    data: bytes,
    scanner: Scanner,
    matches: Sequence[Span],
    ends: Sequence[int],
    channel_ends: Sequence[int],
) -> list[Span]:
    """``patterns.trigger_person_spans`` and ``patterns.possessive_person_spans`` of the page.

    One scan of ``scanner.triggers`` reports title words followed by a blank (the "king" in
    "making" never reaches Python) and possessives followed by a blank; a possessive counts
    when an ORG match (``ends`` are the matches' ends, increasing: they are disjoint) or the
    channel ends right before it.
    """
    spans: list[Span] = []
    gaps: list[int] = []
    checked = scanner.checked_cues
    for index, start, end in scanner.triggers.find_matches_as_indexes(data, overlapping=True):
        if index in checked and not joined.startswith(_CUES[index], start):
            continue  # another character shown as "?" (``encode``)
        if index >= len(_CUE_FORMS):
            gaps.append(start)
            continue
        before = joined[start - 1]
        if before.isalpha() or before == "_":
            continue
        run = name_run(joined, end - 1)
        if run is not None:
            spans.append((TITLED_CODE, *run))
    labels = scanner.labels
    for at in gaps:
        found = bisect.bisect_left(ends, at)
        if (
            found < len(ends) and ends[found] == at and labels[matches[found][0]] == "ORG"
        ) or at in channel_ends:
            run = name_run(joined, at + 2, min_words=2)
            if run is not None:
                spans.append((TITLED_CODE, *run))
    return spans


def joined_pattern_spans(
    joined: str,
    data: bytes,
    channel: str,
    matches: Sequence[Span],
    ends: Sequence[int],
    scanner: Scanner,
) -> list[Span]:
    """``patterns.pattern_spans`` of every text, in joined coordinates (order irrelevant).

    Hashtags come from one regex pass over the joined text (``textscan.hashtag_offsets`` gives
    each text's tags, shifted); title words and possessives from one automaton scan
    (``cue_spans``).
    """
    found = [(HASHTAG_CODE, at + 1, at + 1 + len(tag)) for tag, at in hashtag_offsets(joined)]
    channel_found = (
        [(CHANNEL_CODE, start, end) for start, end, _, _ in literal_spans(joined, channel, "", 0)]
        if channel
        else []
    )
    found += channel_found
    found += cue_spans(joined, data, scanner, matches, ends, [end for _, _, end in channel_found])
    return found


def merge_spans(
    base: Sequence[Span], ends: Sequence[int], extra: Sequence[Span], scanner: Scanner
) -> list[Span]:
    """``resolve_overlaps`` of ``base`` (disjoint, sorted; ``ends`` theirs) plus ``extra``.

    Only the base spans some extra span overlaps can lose or change anything: base spans are
    disjoint, so every cluster of overlapping spans that holds one also holds an extra span
    overlapping it, and ``resolve_overlaps`` decides each cluster on its own. The result is
    sorted by start (resolved spans are disjoint, so starts are distinct): each winner goes
    after the untouched base spans ending at or before its start and the winners before it.
    """
    touched: list[int] = []
    count = len(base)
    for _, start, end in extra:
        at = bisect.bisect_right(ends, start)  # first base span ending after it starts
        while at < count and base[at][1] < end:
            touched.append(at)
            at += 1
    kept: list[Span]
    if touched:
        touched = sorted(set(touched))
        kept = []
        previous = 0
        for at in touched:
            kept += base[previous:at]
            previous = at + 1
        kept += base[previous:]
        winners = ranked_choice([*(base[at] for at in touched), *extra], scanner)
    else:
        kept = [*base]
        winners = ranked_choice(extra, scanner)
    for number, winner in enumerate(winners):
        before = bisect.bisect_right(ends, winner[1])
        kept.insert(before - bisect.bisect_left(touched, before) + number, winner)
    return kept


def ranked_choice(spans: Sequence[Span], scanner: Scanner) -> list[Span]:
    """``spans.resolve_overlaps`` for page-pass spans: non-overlapping, sorted by start.

    ``resolve_overlaps`` decides each cluster of overlapping spans by the same greedy choice
    (rank: priority, then length, then start, then label; a span is taken unless it overlaps
    one taken before), and spans of different clusters never overlap, so one greedy pass over
    all spans chooses the same ones. Spans equal in rank are equal (the codes of equal ranges,
    labels and priorities never differ on a page), so ties cannot change the result.
    """
    if len(spans) < 2:
        return [*spans]
    priorities = scanner.priorities
    labels = scanner.labels
    starts: list[int] = []
    taken: list[Span] = []
    for span in sorted(spans, key=lambda s: (-priorities[s[0]], s[1] - s[2], s[1], labels[s[0]])):
        _, start, end = span
        at = bisect.bisect_left(starts, start)
        if (at < len(taken) and taken[at][1] < end) or (at and taken[at - 1][2] > start):
            continue
        starts.insert(at, start)
        taken.insert(at, span)
    return taken


def _with_propagation(
    joined: str,
    matches: Sequence[Span],
    ends: Sequence[int],
    patterns: Sequence[Span],
    scanner: Scanner,
    reference: Reference,
) -> tuple[Sequence[Span], list[Span]]:
    """Resolved spans after ``assemble.page_mentions``'s person propagation step, and the
    PERSON spans among them.

    The propagated spans are merged into the first resolution rather than into the matches and
    patterns again: ``resolve_overlaps`` is a greedy choice by rank, and whatever it dropped the
    first time was dropped for a pattern span (gazetteer matches are disjoint), which outranks
    every propagated span and so wins again.
    """
    resolved: Sequence[Span] = matches
    if patterns:
        resolved = merge_spans(matches, ends, patterns, scanner)
    person_codes = scanner.people
    people = [span for span in resolved if span[0] in person_codes]
    if not people:
        return resolved, people
    names = names_of_people((joined[start:end] for _, start, end in people), reference)
    if not names:
        return resolved, people
    extra = propagated_outside(joined, names, people)
    if not extra:
        return resolved, people
    resolved = merge_spans(resolved, [end for _, _, end in resolved], extra, scanner)
    return resolved, [span for span in resolved if span[0] in person_codes]


def propagated_outside(joined: str, names: Sequence[str], people: Sequence[Span]) -> list[Span]:
    """``assemble.propagated_spans`` minus the spans inside a PERSON span already found.

    ``people`` are disjoint and sorted, so only the last one starting at or before an
    occurrence can hold it; most occurrences are such a person itself ("Putin" found by the
    gazetteer) and are dropped before the word-boundary test. A full name whose last word is
    itself a name ("Elon Musk", "Musk") is not searched for: every occurrence of it ends with an
    occurrence of the last word, where it is checked with ``startswith`` (each ``find`` over a
    page with an emoji costs microseconds).
    """
    starts = [start for _, start, _ in people]
    extra: list[Span] = []
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
                if (holder < 0 or people[holder][2] < end) and is_word_boundary(joined, begin, end):
                    extra.append((PROPAGATED_CODE, begin, end))
            at = joined.find(name, at + 1)
    return extra


def _surnames(
    joined: str, people: Sequence[Span], scanner: Scanner, reference: Reference
) -> dict[str, str]:
    """``canonical.surname_index`` of the page, from its PERSON spans (no other label counts).

    A gazetteer match's canonical form and its last word's key are the scanner's.
    """
    counts: dict[str, dict[str, int]] = {}
    last_keys = scanner.last_keys
    known = scanner.canonicals
    for code, start, end in people:
        if code >= 0:
            key = last_keys[code]
            canonical = known[code]
        else:
            canonical = lookup_surface(joined[start:end], reference).canonical_name
            key = last_word_key(canonical)
        if key is not None:
            per_key = counts.setdefault(key, {})
            per_key[canonical] = per_key.get(canonical, 0) + 1
    return surnames_of(counts) if counts else {}


def _linked_infos(scanner: Scanner, surnames: Mapping[str, str]) -> Sequence[Info]:
    """``scanner.infos`` with surname linking (``canonical.link_name``) applied.

    Only an entry that some surname could relink can change (``scanner.relinkable``, per
    lookup key); the table is copied only when one does.
    """
    infos: Sequence[Info] = scanner.infos
    changed: list[Info] | None = None
    relinkable = scanner.relinkable
    for key in surnames:
        for index in relinkable.get(key, ()):
            form, label, found, _ = scanner.entries[index]
            linked = (form, *link_name(label, found, surnames))
            if linked != infos[index]:
                if changed is None:
                    changed = [*infos]
                changed[index] = linked
    return infos if changed is None else changed


def rules_page_mentions(
    page: PageEntityInput, scanner: Scanner, reference: Reference
) -> list[Mention] | None:
    """The page's mentions as ``assemble.page_mentions`` would give them for gazetteer spans.

    None when the page cannot be joined safely (a channel name or reference form spanning lines
    could match across two texts); the caller then takes the general path. Canonical names
    (``canonical.canonicalise_page``) come from the scanner's per-entry table, so only surname
    linking or a pattern span needs a lookup.
    """
    channel = page.channel.strip() if page.channel else ""
    if _JOIN in channel or not scanner.joinable:
        return None
    texts = page.texts
    joined, starts = join_texts([entity_text.text for entity_text in texts])
    data = encode(joined)
    matches = gazetteer_matches(joined, scanner, data)
    ends = [end for _, _, end in matches]
    patterns = joined_pattern_spans(joined, data, channel, matches, ends, scanner)
    resolved, people = _with_propagation(joined, matches, ends, patterns, scanner, reference)
    surnames = _surnames(joined, people, scanner, reference)
    infos = _linked_infos(scanner, surnames) if surnames else scanner.infos
    return _records(joined, texts, starts, resolved, infos, scanner, surnames, reference)


def pattern_info(label: str, surface: str, reference: Reference) -> PatternInfo:
    """A pattern span's label and canonical name without surname linking, and the key a page's
    surname would relink it by (None when ``canonical.link_name`` never relinks it)."""
    found = lookup_surface(surface, reference)
    named = unlinked_name(label, found)
    # Linked to a full name no page has ("\n" is in none), does it change?
    relinked = link_name(label, found, {found.key: _JOIN}) != named
    return (*named, found.key if relinked else None)


def _records(
    joined: str,
    texts: Sequence[EntityText],
    starts: Sequence[int],
    resolved: Sequence[Span],
    infos: Sequence[Info],
    scanner: Scanner,
    surnames: Mapping[str, str],
    reference: Reference,
) -> list[Mention]:
    """The ``Mention``s of ``resolved`` (sorted by start), walking the texts alongside.

    Label and canonical name as ``canonical.canonicalise_page`` gives them: a gazetteer match
    takes its entry's from ``infos`` (surname linking already applied); a pattern span its
    ``pattern_info``, linked (``canonical.link_name``) when its key is one of ``surnames``.
    """
    mentions: list[Mention] = []
    append = mentions.append
    bounds = [*starts[1:], len(joined) + 1]
    index = 0
    next_start = bounds[0]
    offset = starts[0] if starts else 0
    source = texts[0].source if texts else "title"
    comment_index = texts[0].comment_index if texts else None
    labels = scanner.labels
    known = scanner.pattern_infos
    for code, start, end in resolved:
        if code >= 0:
            surface, label, canonical = infos[code]
        else:
            surface = joined[start:end]
            found = known.get((code, surface))
            if found is None:
                if len(known) >= _PATTERN_INFOS_MAX:
                    known.clear()
                found = known[code, surface] = pattern_info(labels[code], surface, reference)
            label, canonical, key = found
            if key is not None and key in surnames:
                label, canonical = link_name(
                    labels[code], lookup_surface(surface, reference), surnames
                )
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
