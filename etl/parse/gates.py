"""Exact one-character pre-checks for the parser's long anchored patterns (speed only).

A pattern like ``ACTION_LINE_RE`` (a hundred alternatives, case-insensitive) costs microseconds
per line even when it fails at the first character, and it runs on every comment line. Its
*first set* - the characters a non-empty match can start with - is derived from the pattern
itself and compiled into a one-character class with the same flags, so case-insensitive folds
are the regex engine's own. ``gate.match(line) is None`` then proves ``pattern.match(line)`` is
None. Derived, not hand-written, so a new alternative can never be gated out by mistake; where
the derivation is unsure (empty matches, scoped flags, back-references, negated classes) there is
no gate and the pattern simply always runs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any


def _private(name: str) -> Any:
    """A private module of ``re`` (its parser), or None where this Python has none."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - depends on the Python version
        return None


# The regex parser is private API; without it there are no gates, only slower matching.
_p = _private("re._parser")
_c = _private("re._constants")

# None stands for "any character": the derivation gave up on this part.
_First = frozenset[str] | None

_CATEGORY_CLASS = (
    {
        _c.CATEGORY_DIGIT: r"\d",
        _c.CATEGORY_NOT_DIGIT: r"\D",
        _c.CATEGORY_SPACE: r"\s",
        _c.CATEGORY_NOT_SPACE: r"\S",
        _c.CATEGORY_WORD: r"\w",
        _c.CATEGORY_NOT_WORD: r"\W",
    }
    if _c is not None
    else {}
)


def first_char_gate(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern matching one character, true for the first character of every non-empty
    ``pattern.match``; None when no gate can be derived (use the pattern alone)."""
    if _p is None or _c is None:
        return None
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unexpected parser shape must cost speed, never correctness
        return None
    first, nullable = _first_of_sequence(tree)
    if first is None or nullable or not first:
        return None
    return re.compile("[" + "".join(sorted(first)) + "]", pattern.flags & ~re.VERBOSE)


def _first_of_sequence(items: Iterable[Any]) -> tuple[_First, bool]:
    """First set of a sequence of parser items, and whether the sequence can match empty."""
    found: set[str] = set()
    for op, av in items:
        first, nullable = _first_of_item(op, av)
        if first is None:
            return None, False
        found |= first
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


def _first_of_item(op: Any, av: Any) -> tuple[_First, bool]:
    """First set and nullability of one parser item (see ``_first_of_sequence``)."""
    if op is _c.LITERAL:
        return frozenset({re.escape(chr(av))}), False
    if op is _c.IN:
        return _first_of_class(av), False
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):  # zero width: ignoring a lookaround widens
        return frozenset(), True
    if op is _c.BRANCH:
        found: set[str] = set()
        any_nullable = False
        for alternative in av[1]:
            first, nullable = _first_of_sequence(alternative)
            if first is None:
                return None, False
            found |= first
            any_nullable = any_nullable or nullable
        return frozenset(found), any_nullable
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:  # scoped flags would need their own gate class
            return None, False
        return _first_of_sequence(sub)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        first, nullable = _first_of_sequence(sub)
        return first, nullable or low == 0
    if op is _c.ATOMIC_GROUP:
        return _first_of_sequence(av)
    return None, False


def _first_of_class(items: Iterable[Any]) -> _First:
    """The members of a ``[...]`` class as class fragments (None for a negated class)."""
    found: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            found.add(re.escape(chr(av)))
        elif op is _c.RANGE:
            found.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _c.CATEGORY and av in _CATEGORY_CLASS:
            found.add(_CATEGORY_CLASS[av])
        else:
            return None
    return frozenset(found)


def gated_match(pattern: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    """``pattern.match`` behind its first-character gate (same result, cheaper misses)."""
    gate = first_char_gate(pattern)
    full = pattern.match
    if gate is None:
        return full
    check = gate.match

    def match(text: str) -> re.Match[str] | None:
        return full(text) if check(text) is not None else None

    return match


def length_split_match(pattern: re.Pattern[str], cut: int) -> Callable[[str], re.Match[str] | None]:
    """``pattern.match`` for a pattern of the form ``^(?:A|B|...)$``, cheaper on long texts.

    An alternative whose matches are at most ``cut`` characters long cannot match a longer text
    (``$`` allows one trailing newline, hence ``cut + 1``). Texts longer than that are first
    tried against the remaining alternatives only; the full pattern runs only when one of them
    matches, so hits return the very same match object and misses cost a fraction.
    """
    full = gated_match(pattern)
    long_pattern = _long_alternatives(pattern, cut)
    if long_pattern is None:
        return full
    long_match = gated_match(long_pattern)
    limit = cut + 1

    def match(text: str) -> re.Match[str] | None:
        if len(text) > limit and long_match(text) is None:
            return None
        return full(text)

    return match


def _long_alternatives(pattern: re.Pattern[str], cut: int) -> re.Pattern[str] | None:
    """``^(?:<alternatives that can match more than cut characters>)$``, or None if unsure."""
    source = pattern.pattern
    if _p is None or not (source.startswith("^(?:") and source.endswith(")$")):
        return None
    parts = _top_level_alternatives(source[4:-2])
    if parts is None or len(parts) < 2:
        return None
    try:
        widths = [_p.parse(part, pattern.flags).getwidth()[1] for part in parts]
    except Exception:  # an alternative that does not parse alone: no split
        return None
    long_parts = [part for part, width in zip(parts, widths, strict=True) if width > cut]
    if len(long_parts) == len(parts):
        return None
    return re.compile("^(?:" + "|".join(long_parts) + ")$", pattern.flags)


def _structure(source: str, start: int = 0) -> tuple[list[tuple[int, str, int]], bool]:
    """The characters of a regex source from ``start`` that shape it, with the group depth after
    each: ``(position, char, depth)`` for every ``(``, ``)`` and ``|`` that is neither escaped
    nor inside a character class. The flag says the source ended outside any class and group."""
    found: list[tuple[int, str, int]] = []
    depth = 0
    in_class = False
    class_start = 0
    escaped = False
    for position in range(start, len(source)):
        ch = source[position]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            # "]" right after "[" or "[^" is a member, not the end of the class.
            if (
                ch == "]"
                and position > class_start + 1
                and source[class_start + 1 : position] != "^"
            ):
                in_class = False
        elif ch == "[":
            in_class, class_start = True, position
        elif ch in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[ch]
            found.append((position, ch, depth))
    return found, depth == 0 and not in_class and not escaped


def _top_level_alternatives(inner: str) -> list[str] | None:
    """Split a pattern body at its depth-0 ``|`` (outside groups, classes and escapes)."""
    found, closed = _structure(inner)
    if not closed:
        return None
    cuts = [position for position, ch, depth in found if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(inner)]
    return [inner[left + 1 : right] for left, right in pairwise(bounds)]


_GLOBAL_FLAGS_RE = re.compile(r"\(\?[aiLmsux]+\)")
# A text's first character selects the alternatives that can match it; the selections are cached
# per character, and this many characters are remembered before the cache starts over.
_MAX_DISPATCH_CHARS = 4_096


def dispatch_match(
    pattern: re.Pattern[str], cut: int | None = None
) -> Callable[[str], re.Match[str] | None]:
    """``pattern.match`` that tries only the alternatives able to match the text.

    The pattern is cut into *pieces*: its top-level alternatives, and a ``^(?:A|B|...)TAIL``
    alternative into ``^(?:A)TAIL``, ``^(?:B)TAIL``... (see ``_pieces``). A piece is kept for a
    text when its own first-character gate accepts the text's first character and, if ``cut``
    is given and every piece ends in ``)$``, for a text longer than ``cut + 1`` when it can match
    more than ``cut`` characters (see ``length_split_match``). The kept pieces form a pattern in
    their original order; dropping pieces that cannot match changes neither which one matches
    first nor how, so the match has the same span (the pattern must have no numbered groups:
    ``pattern.groups == 0``). A miss on a hundred case-insensitive alternatives costs a
    microsecond or two; on the few kept ones, a fraction of it. Falls back to
    ``length_split_match`` (or ``gated_match`` without ``cut``) when the pattern cannot be cut.
    """
    pieces = _pieces(pattern)
    if pieces is None or pattern.groups:
        return gated_match(pattern) if cut is None else length_split_match(pattern, cut)
    sources, gates, widths = pieces
    split_by_length = cut is not None and all(piece.endswith(")$") for piece in sources)
    if cut is None or not split_by_length:
        cut = max(widths)  # no length split: every piece is kept for long texts too
    limit = cut + 1
    full = pattern.match
    # First character -> the matcher of the pieces kept for it, for short and long texts.
    short: dict[str, Callable[[str], re.Match[str] | None]] = {"": full}
    long: dict[str, Callable[[str], re.Match[str] | None]] = {"": full}
    compiled: dict[tuple[int, ...], Callable[[str], re.Match[str] | None]] = {}

    def no_match(_text: str) -> None:
        return None

    def select(first: str, is_long: bool) -> Callable[[str], re.Match[str] | None]:
        kept = tuple(
            i
            for i, (gate, width) in enumerate(zip(gates, widths, strict=True))
            if (gate is None or gate.match(first) is not None) and (not is_long or width > cut)
        )
        found = compiled.get(kept)
        if found is None:
            if not kept:
                found = no_match
            elif len(kept) == len(sources):
                found = full
            else:
                found = re.compile("|".join(sources[i] for i in kept), pattern.flags).match
            compiled[kept] = found
        table = long if is_long else short
        if len(table) >= _MAX_DISPATCH_CHARS:
            table.clear()
            table[""] = full
        table[first] = found
        return found

    def match(text: str) -> re.Match[str] | None:
        is_long = len(text) > limit
        first = text[:1]
        matcher = (long if is_long else short).get(first)
        if matcher is None:
            matcher = select(first, is_long)
        return matcher(text)

    def match_any_length(text: str) -> re.Match[str] | None:
        matcher = short.get(text[:1])
        if matcher is None:
            matcher = select(text[:1], False)
        return matcher(text)

    return match if split_by_length else match_any_length


def _pieces(
    pattern: re.Pattern[str],
) -> tuple[list[str], list[re.Pattern[str] | None], list[int]] | None:
    """The pieces of ``pattern`` (see ``dispatch_match``), each one's first-character gate
    (None: no gate) and maximum width; None if there are fewer than two or one does not parse.

    ``^(?:A|B)T|^(?:C)U`` -> ``^(?:A)T``, ``^(?:B)T``, ``^(?:C)U``: the same strings match, and
    in the same order of preference, as alternation distributes over what follows it.
    """
    # Verbose sources (comments, free spacing) and global inline flags do not split as text.
    if _p is None or pattern.flags & re.VERBOSE or _GLOBAL_FLAGS_RE.match(pattern.pattern):
        return None
    parts = _top_level_alternatives(pattern.pattern)
    if parts is None:
        return None
    sources: list[str] = []
    for part in parts:
        group = _leading_group(part)
        inner = _top_level_alternatives(group[0]) if group is not None else None
        if group is None or inner is None:
            sources.append(part)
        else:
            sources.extend("^(?:" + alternative + ")" + group[1] for alternative in inner)
    if len(sources) < 2:
        return None
    try:
        alone = [re.compile(piece, pattern.flags) for piece in sources]
        widths = [_p.parse(piece, pattern.flags).getwidth()[1] for piece in sources]
    except Exception:  # a piece that does not stand alone: no dispatch
        return None
    return sources, [first_char_gate(each) for each in alone], widths


def _leading_group(part: str) -> tuple[str, str] | None:
    """``^(?:INNER)TAIL`` -> ``(INNER, TAIL)``; None for any other form."""
    if not part.startswith("^(?:"):
        return None
    for position, ch, depth in _structure(part, 1)[0]:
        if ch == ")" and depth == 0:
            return part[4:position], part[position + 1 :]
    return None


def union_gate(*patterns: re.Pattern[str]) -> re.Pattern[str] | None:
    """One first-character gate for several patterns with the same flags: ``gate.match(text)
    is None`` proves that none of them matches ``text``; None if one of them has no gate."""
    flags = {pattern.flags for pattern in patterns}
    gates = [first_char_gate(pattern) for pattern in patterns]
    if len(flags) != 1 or any(gate is None for gate in gates):
        return None
    # Each gate is one positive class "[...]": the union is the concatenation of their bodies.
    bodies = "".join(gate.pattern[1:-1] for gate in gates if gate is not None)
    return re.compile("[" + bodies + "]", flags.pop() & ~re.VERBOSE)
