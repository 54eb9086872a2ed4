"""The parser's fast paths give exactly what the plain code they replace gives.

Each speed-up (first-character gates, tail-only stamp cleaning, token-restricted URL scanning,
the label-end test, the control-byte skip in ``decode_page``) is compared with the general form
written out here as a reference, on every line of the fixture pages, on synthetic pages and on
generated text mixing the characters the patterns care about.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.extract import _CONTROL_CHARS_RE, decode_page
from etl.parse import description, headers, patterns, sections, title
from etl.parse.comments import base, blog, discussion, mirror, ordered
from etl.parse.gates import (
    _top_level_alternatives,
    dispatch_match,
    first_char_gate,
    gated_match,
    length_split_match,
    union_gate,
)
from etl.parse.links import _LABEL_END_RE, _URL_RE, _label_before, _url_matches
from etl.synth import iter_corpus

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters the patterns under test react to, mixed with ordinary text and odd case folds.
ALPHABET = st.sampled_from(
    [
        *"abcdeiklmnoprstwyzEIKLPRST0123456789 .:/|#@•·-–()+?!\t",
        *("\u0130", "\u0131", "\u212a", "\u017f", "\u00a0", "é", "ч", "з", "🙏", "👉", "www."),
        *("://", "https://a.com/x", "bit.ly/", "Reply", "Edit", "Permalink", "ago", " says:"),
        "2024",
    ]
)
TEXT = st.lists(ALPHABET, max_size=40).map("".join)
GATED_PATTERNS = [
    patterns.ACTION_LINE_RE,
    patterns.DATE_LINE_RE,
    patterns.FOOTER_RE,
    patterns.CHROME_HEADING_RE,
    patterns.META_LABEL_RE,
    patterns.MIRROR_CHROME_RE,
    patterns.SHORT_STAMP_RE,
    patterns.RELATIVE_AGE_RE,
    patterns.LIKE_ACTION_RE,
    headers._COUNT_FIRST_RE,
    headers._ZERO_RE,
    headers._BARE_RE,
    ordered.ITEM_RE,
    blog.SAYS_RE,
    discussion.AVATAR_RE,
    mirror.BULLET_RE,
]


@cache
def _sample_lines() -> tuple[str, ...]:
    """Every line (raw and stripped) of the fixture pages and of 300 synthetic pages."""
    texts = [path.read_text("utf-8", errors="replace") for path in sorted(FIXTURES.glob("*.txt"))]
    texts += [page.data.decode("utf-8", errors="replace") for page in iter_corpus(300, 7)]
    found: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            found.update((line, line.strip()))
    return tuple(sorted(found))


def _reference_clean_stamp(line: str) -> str:
    """``clean_stamp`` as first written: the tail pattern over the whole line."""
    if line[-1:].isalpha() or line[-1:] == "#":
        return patterns._STAMP_TAIL_RE.sub("", line).strip()
    return line


def _reference_url_spans(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in _URL_RE.finditer(line)]


def _fast_url_spans(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in _url_matches(line)]


def _lines_and(text_examples: Iterator[str] | None = None) -> list[str]:
    return list(_sample_lines()) + list(text_examples or [])


def test_stamp_tail_character_sets_cover_every_case_fold() -> None:
    """The hand-written sets equal what the tail pattern's letters match under IGNORECASE."""
    letters = re.compile(r"[editreplypermalinkreport]", re.IGNORECASE)
    last = re.compile(r"[tyk]", re.IGNORECASE)
    every = [chr(code) for code in range(sys.maxunicode + 1)]
    assert {ch for ch in every if letters.fullmatch(ch)} | set("|·•#") == set(
        patterns.STAMP_TAIL_CHARS
    )
    assert {ch for ch in every if last.fullmatch(ch)} | {"#"} == set(patterns.STAMP_TAIL_LAST)


def test_clean_stamp_equals_the_whole_line_pattern_on_sample_lines() -> None:
    extra = ["May 4, 2024 at 10:12 pm Edit", "3 days ago | Reply", "x |# Edit", "  Reply", "#"]
    for line in _lines_and(iter(extra)):
        assert patterns.clean_stamp(line) == _reference_clean_stamp(line), line


@SETTINGS
@given(TEXT)
def test_clean_stamp_and_date_lines_equal_the_reference(text: str) -> None:
    assert patterns.clean_stamp(text) == _reference_clean_stamp(text)
    expected = bool(text) and patterns.DATE_LINE_RE.match(_reference_clean_stamp(text)) is not None
    assert patterns.is_date_line(text) == expected


def test_url_scan_equals_the_whole_line_scan_on_sample_lines() -> None:
    for line in _sample_lines():
        assert _fast_url_spans(line) == _reference_url_spans(line), line


@SETTINGS
@given(TEXT)
def test_url_scan_equals_the_whole_line_scan(text: str) -> None:
    assert _fast_url_spans(text) == _reference_url_spans(text)


@SETTINGS
@given(TEXT)
def test_label_end_check_equals_the_pattern(text: str) -> None:
    """``_label_before`` says None exactly when the reference end pattern rejects the tail."""
    prefix = text + ":" if text.endswith("x") else text
    tail = prefix.rstrip()
    if not tail or tail[-1] not in ":：-–—►➜→|👉":
        return
    if _LABEL_END_RE.search(tail[-120:]) is None:
        assert _label_before(prefix) is None


@pytest.mark.parametrize("pattern", GATED_PATTERNS, ids=lambda p: p.pattern[:30])
def test_gated_match_equals_the_pattern_on_sample_lines(pattern: re.Pattern[str]) -> None:
    match = gated_match(pattern)
    for line in _sample_lines():
        fast, slow = match(line), pattern.match(line)
        assert (fast and fast.group()) == (slow and slow.group()), line


@cache
def _gated(pattern: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    return gated_match(pattern)


@SETTINGS
@given(TEXT)
def test_gated_match_equals_the_pattern(text: str) -> None:
    for pattern in GATED_PATTERNS:
        fast, slow = _gated(pattern)(text), pattern.match(text)
        assert (fast and fast.group()) == (slow and slow.group())


def test_gates_exist_for_the_hot_patterns_and_reject_what_cannot_start_a_match() -> None:
    gate = first_char_gate(patterns.ACTION_LINE_RE)
    assert gate is not None
    assert gate.match("Reply") and gate.match("reply") and gate.match("3 replies")
    assert gate.match("I lived there") is None
    # A pattern that can match the empty string, or starts with anything, gets no gate.
    assert first_char_gate(re.compile(r"a*")) is None
    assert first_char_gate(re.compile(r".x")) is None
    assert first_char_gate(re.compile(r"(?i:a)b")) is None


@SETTINGS
@given(st.binary(max_size=300))
def test_decode_page_matches_the_full_control_scan(raw: bytes) -> None:
    """Skipping the control scan for clean UTF-8 never leaves a control character behind."""
    try:
        text = decode_page(raw)
    except Exception:  # rejected pages are covered by the extract tests
        return
    assert _CONTROL_CHARS_RE.search(text) is None


def test_action_line_matcher_equals_the_pattern_on_sample_lines() -> None:
    """The length-split matcher gives the pattern's own match object, hit or miss."""
    extra = ["Liked by " + "x" * 70, "12 more replies by Anna", "❤ by @" + "a" * 50, "Reply"]
    for line in _lines_and(iter(extra)):
        fast, slow = patterns.match_action_line(line), patterns.ACTION_LINE_RE.match(line)
        assert (fast and fast.group()) == (slow and slow.group()), line


@SETTINGS
@given(TEXT, st.integers(min_value=0, max_value=60))
def test_action_line_matcher_equals_the_pattern(text: str, pad: int) -> None:
    for candidate in (text, text + " " * pad + text, "1" * pad + " replies", "liked by " + text):
        fast = patterns.match_action_line(candidate)
        slow = patterns.ACTION_LINE_RE.match(candidate)
        assert (fast and fast.group()) == (slow and slow.group())


def test_length_split_keeps_only_alternatives_that_can_be_long() -> None:
    pattern = re.compile(r"^(?:ab|c[|)]d|x.{1,9}|y\d*)$")
    assert _top_level_alternatives(pattern.pattern[4:-2]) == ["ab", "c[|)]d", "x.{1,9}", "y\\d*"]
    match = length_split_match(pattern, 5)
    for text in ("ab", "c|d", "x123456789", "x12", "y" + "1" * 20, "ab" * 5, "c)d\n"):
        assert (match(text) and match(text).group()) == (  # type: ignore[union-attr]
            pattern.match(text) and pattern.match(text).group()  # type: ignore[union-attr]
        )
    # Not of the form ^(?:...)$: the plain gated matcher.
    assert length_split_match(re.compile(r"^a|b$"), 1)("b") is not None


def _reference_could_be_header(line: str) -> bool:
    """``could_be_header`` as first written (casefolding the whole line)."""
    if not line or len(line) > headers._MAX_HEADER_CHARS:
        return False
    if line[0].isdigit() or line[-1].isdigit() or line[-1] == ")":
        return True
    if ("•" in line or ":" in line or "·" in line) and headers._NUMBER_TAIL_RE.search(
        line, max(0, len(line) - 12)
    ):
        return True
    folded = line.casefold()
    first_word = folded.split(" ", 1)[0]
    return first_word in headers._FIRST_WORDS or folded.rstrip(" :") in headers._BARE_FORMS


@SETTINGS
@given(
    st.lists(
        st.sampled_from(["Comments", "KOMENTÁŘE", "ſee", "View", "no", " ", ":", "ß", "İ", "x"]),
        max_size=8,
    ).map("".join)
)
def test_header_pre_check_equals_the_reference(text: str) -> None:
    assert headers.could_be_header(text) == _reference_could_be_header(text)


def test_header_pre_check_equals_the_reference_on_sample_lines() -> None:
    extra = ["comments" + ":" * 40, "Discussion about this video", "NO comments yet"]
    for line in _lines_and(iter(extra)):
        assert headers.could_be_header(line) == _reference_could_be_header(line), line


@SETTINGS
@given(
    st.sampled_from(["January", "May", "September", "December"]),
    st.text("0123456789٣", min_size=1, max_size=2),
    st.text("0123456789", min_size=4, max_size=4),
    st.text("0123456789", min_size=1, max_size=2),
    st.text("0123456789", min_size=2, max_size=2),
    st.sampled_from(["am", "PM", "pM", "Am"]),
)
def test_common_stamp_is_a_date_line(
    month: str, day: str, year: str, hour: str, minute: str, half: str
) -> None:
    """Whatever the fast stamp pattern accepts, the full date pattern accepts too."""
    stamp = f"{month} {day}, {year} at {hour}:{minute} {half}"
    if patterns.COMMON_STAMP_RE.match(stamp):
        assert patterns.DATE_LINE_RE.match(stamp) is not None


def test_common_stamp_agrees_with_the_full_pattern_on_sample_lines() -> None:
    for line in _sample_lines():
        if patterns.COMMON_STAMP_RE.match(line):
            assert patterns.DATE_LINE_RE.match(line) is not None, line


def _reference_parse_count(text: str) -> int | None:
    """``parse_count`` as first written (no plain-digits shortcut)."""
    cleaned = text.strip().rstrip(".").strip()
    word = patterns.WORD_NUMBERS.get(cleaned.casefold())
    if word is not None:
        return word
    match = patterns._NUM_RE.match(cleaned)
    if match is None:
        return None
    if match.group("int") is not None:
        return int(re.sub(r"\D", "", match.group("int")))
    unit = patterns._UNITS[match.group("unit").rstrip(".").casefold()]
    return round(float(match.group("dec").replace(",", ".")) * unit)


@SETTINGS
@given(st.text("0123456789٣۴ ,.kKm\u00a0", max_size=12))
def test_parse_count_equals_the_reference(text: str) -> None:
    assert patterns.parse_count(text) == _reference_parse_count(text)


def test_dispatch_keeps_only_alternatives_that_can_match() -> None:
    pattern = re.compile(r"^(?:ab|c[|)]d|x.{1,9}|y\d*|(?:q|r)?\d+|K)$", re.IGNORECASE)
    match = dispatch_match(pattern, 5)
    texts = ["ab", "AB", "c|d", "x123456789", "x12", "y" + "1" * 20, "ab" * 5, "c)d\n", "", "7"]
    texts += ["q12", "r1234567", "\u212a", "k", "K", "zz", "y", "Y12\n", "ſ"]
    for text in texts:
        fast, slow = match(text), pattern.match(text)
        assert (fast and fast.span()) == (slow and slow.span()), text
    # A shared tail and top-level alternatives of their own are cut into pieces too.
    tailed = re.compile(r"^(?:ab|c|\d+)\s*:?$|^(?:x[)(]|y)z$", re.IGNORECASE)
    match = dispatch_match(tailed)
    for text in ["ab", "AB :", "c:", "12 :", "x)z", "x(z", "yz", "Yz\n", "ab:x", "", "q", "c\n"]:
        fast, slow = match(text), tailed.match(text)
        assert (fast and fast.span()) == (slow and slow.span()), text
    assert dispatch_match(re.compile(r"(?i)ab|c"))("AB") is not None  # global flags: no pieces
    # Numbered groups would be renumbered by dropping alternatives: the length-split matcher.
    grouped = re.compile(r"^(?:(a)|b)$")
    assert dispatch_match(grouped, 1)("a").group(1) == "a"  # type: ignore[union-attr]


BODY_LINE = st.lists(
    st.sampled_from(["", " ", "  ", "\t", "\u00a0", "Reply", "Like (3)", "2 likes", "text", "x y"]),
    max_size=4,
).map("".join)


def _reference_strip_actions(
    body: Sequence[base.BodyLine],
) -> tuple[tuple[base.BodyLine, ...], int | None]:
    """The second of the two steps ``clean_body`` replaced: drop action-word lines (``Reply``,
    ``Like (3)``...) and blank edges; the like count if one is shown."""
    kept: list[base.BodyLine] = []
    likes: int | None = None
    # ``trim_blank`` folded into the same pass (one strip per line): a blank line is kept only
    # after a kept text line, and a trailing blank is dropped at the end.
    after_text = False
    for item in body:
        stripped = item[1].strip()
        if not stripped:
            if after_text:
                kept.append(item)
                after_text = False
            continue
        if len(stripped) <= base._MAX_ACTION_CHARS and patterns.match_action_line(stripped):
            like = patterns.LIKE_ACTION_RE.match(stripped)
            if like is not None:
                likes = patterns.parse_count(like.group("n") or like.group("m") or "")
            continue
        kept.append(item)
        after_text = True
    if kept and not after_text:
        kept.pop()
    return tuple(kept), likes


@SETTINGS
@given(st.lists(BODY_LINE, max_size=12), st.data())
def test_clean_body_equals_strip_actions_of_dedent_body(
    lines: list[str], data: st.DataObject
) -> None:
    """The one-pass body cleaner gives what the two general steps give."""
    stripped = [line.strip() for line in lines]
    start = data.draw(st.integers(0, len(lines)))
    end = data.draw(st.integers(start, len(lines)))
    indices = range(start, end)
    expected = _reference_strip_actions(base.dedent_body(lines, indices))
    assert base.clean_body(lines, stripped, indices) == expected
    head = (0, data.draw(BODY_LINE).strip())
    with_head = _reference_strip_actions([head, *base.dedent_body(lines, indices)])
    assert base.clean_body(lines, stripped, indices, head) == with_head


def test_clean_body_equals_the_two_steps_on_sample_pages() -> None:
    for page in iter_corpus(200, 11):
        lines = page.data.decode("utf-8", errors="replace").split("\n")
        stripped = [line.strip() for line in lines]
        for start in range(0, len(lines), 7):
            indices = range(start, min(len(lines), start + 9))
            expected = _reference_strip_actions(base.dedent_body(lines, indices))
            assert base.clean_body(lines, stripped, indices) == expected


DISPATCHED = [
    (patterns.FOOTER_RE, sections._match_footer),
    (patterns.CHROME_HEADING_RE, sections._match_chrome_heading),
    (patterns.MIRROR_CHROME_RE, sections._match_chrome),
    (patterns.NAV_LINE_RE, title._match_nav),
]


def test_dispatched_footer_and_heading_equal_the_patterns_on_sample_lines() -> None:
    extra = ["Leave a Reply", "LEAVE A COMMENT :", "Related posts", "Labels: x", "ſhare this:"]
    for line in _lines_and(iter(extra)):
        for pattern, match in DISPATCHED:
            fast, slow = match(line), pattern.match(line)
            assert (fast and fast.span()) == (slow and slow.span()), line


@SETTINGS
@given(
    st.lists(
        st.sampled_from(["Leave a ", "reply", "Related", " posts", "Tags:", "more from ", "ſ", "K"])
        | st.sampled_from(["Share", "1.2K views", "12 subscribers", "Menu", "log in", "Поделиться"])
        | st.sampled_from(["x", " ", ":", ".", "\n", "İ", "Posted by A at 10:12 pm", "5"]),
        max_size=6,
    ).map("".join)
)
def test_dispatched_footer_and_heading_equal_the_patterns(text: str) -> None:
    for pattern, match in DISPATCHED:
        fast, slow = match(text), pattern.match(text)
        assert (fast and fast.span()) == (slow and slow.span())


HEADER_FORMS = [headers._STEM_FIRST_RE, headers._VIEW_ALL_RE, headers._ZERO_RE, headers._BARE_RE]


def test_union_gate_admits_every_match_of_its_patterns_on_sample_lines() -> None:
    gate = headers._OTHER_FORMS_GATE
    assert gate is not None
    extra = ["Comments (12)", "View all 3 comments", "No comments yet", "KOMENTÁŘE", "ſee all 2"]
    for line in _lines_and(iter(extra)):
        if any(pattern.match(line) for pattern in HEADER_FORMS):
            assert gate.match(line), line
    assert union_gate(re.compile("a"), re.compile("b", re.I)) is None  # flags differ
    assert union_gate(re.compile("a*"), re.compile("b")) is None  # no gate for a*


@SETTINGS
@given(TEXT)
def test_union_gate_admits_every_match_of_its_patterns(text: str) -> None:
    gate = headers._OTHER_FORMS_GATE
    assert gate is not None
    for candidate in (text, "Comments " + text, "no" + text):
        if any(pattern.match(candidate) for pattern in HEADER_FORMS):
            assert gate.match(candidate)


def _reference_without_repeats(stripped: list[str], start: int, end: int) -> list[int]:
    """``_without_repeated_paragraphs`` without its no-copy shortcut (the exact pass alone)."""
    kept: list[int] = []
    previous: tuple[str, ...] = ()
    paragraph: list[int] = []
    blanks: list[int] = []
    for index in range(start, end + 1):
        if index < end and stripped[index]:
            paragraph.append(index)
            continue
        if paragraph:
            content = tuple(stripped[i] for i in paragraph)
            is_copy = content == previous and sum(map(len, content)) >= 40
            if not is_copy:
                kept.extend(blanks)
                kept.extend(paragraph)
            previous, paragraph, blanks = content, [], []
        if index < end:
            blanks.append(index)
    return kept


PARAGRAPH_LINE = st.sampled_from(["", "", "a" * 41, "b" * 41, "short", "x\n\ny", "\n"])


@SETTINGS
@given(st.lists(PARAGRAPH_LINE, min_size=1, max_size=14), st.data())
def test_repeated_paragraphs_shortcut_equals_the_exact_pass(
    stripped: list[str], data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(stripped) - 1))
    end = data.draw(st.integers(start + 1, len(stripped)))
    expected = _reference_without_repeats(stripped, start, end)
    assert description._without_repeated_paragraphs(stripped, start, end) == expected


@SETTINGS
@given(TEXT)
def test_meta_labels_need_a_colon(text: str) -> None:
    """read_head only tries META_LABEL_RE on lines with a colon."""
    for candidate in (text, "Channel " + text, "Published on" + text.replace(":", "")):
        if ":" not in candidate:
            assert patterns.META_LABEL_RE.match(candidate) is None


def test_item_lines_start_with_a_decimal_digit_once_stripped() -> None:
    """parse_ordered and trailing_list_start try ITEM_RE only on lines whose stripped text
    starts with a character str.isdecimal accepts: exactly what \\d matches."""
    digit = re.compile(r"\d")
    assert all(
        bool(digit.match(chr(code))) == chr(code).isdecimal() for code in range(sys.maxunicode + 1)
    )
    for line in _lines_and(iter(["  12. x", "\t3.", "\u00a0٣. y", " x 1."])):
        if ordered.ITEM_RE.match(line):
            assert line.strip()[0].isdecimal(), line
