"""Comment-section headers and the count they declare (``1,047 comments``, ``КОМЕНТАРІ • 331``).

FORMATS.md: the number stated is the declared count; zero in words is 0; a header without a
number (``Comments``, ``Discussion about this video``) declares nothing (None). ``1 more
comment...`` is a pager, not a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from etl.parse.gates import gated_match, union_gate
from etl.parse.patterns import NUM, parse_count

HeaderKind = Literal["count", "thoughts", "blogger", "zero", "bare"]

_WORD_NUM = r"no|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
# Words for "comments" in the interface languages seen (stems: Slavic forms inflect).
_STEMS = (
    r"comments?|kommentar\w*|komentář\w*|komentar\w*|koment\w*|comentario\w*|comentário\w*"
    r"|commentaires?|commenti|коммент\w*|комент\w*|yorum\w*|reacties|reacciones|respuestas"
    r"|responses?|réponses|تعليق\w*|التعليقات|评论|評論|コメント|댓글|σχόλια|תגובות"
)
_COUNT_FIRST_RE = re.compile(
    rf"^(?P<n>{NUM}|{_WORD_NUM})\s+(?:(?P<stem>{_STEMS})|(?P<thoughts>thoughts?|repl(?:y|ies))"
    r"(?=\s+(?:on|to)\b))(?P<rest>\s*:|\s+(?:on|to|so far|yet|for|in|about|zu|sur|sobre|на|к)"
    r"\b.*)?$",
    re.IGNORECASE,
)
_STEM_FIRST_RE = re.compile(
    rf"^(?:{_STEMS}|discussion|discussions)\s*(?:\(\s*(?P<a>{NUM})\s*\)|[:•·|–—-]\s*(?P<b>{NUM})"
    rf"|\s+(?P<c>{NUM}))$",
    re.IGNORECASE,
)
_VIEW_ALL_RE = re.compile(
    rf"^(?:view|show|see|read)\s+(?:all\s+)?(?P<n>{NUM})\s+comments?$", re.IGNORECASE
)
_ZERO_RE = re.compile(
    r"^(?:be the first to comment|there are no comments(?: yet)?|no one has commented yet"
    r"|no comments(?: yet)?|no responses(?: yet)?|нет комментариев|коментарів немає"
    r"|немає коментарів"
    r"|žádné komentáře|keine kommentare|aucun commentaire|sin comentarios|nessun commento"
    r"|brak komentarzy|henüz yorum yok)\b.{0,80}$",
    re.IGNORECASE,
)
_BARE_RE = re.compile(
    r"^(?:comments|kommentare|commentaires|comentarios|comentários|commenti|komentarze|komentáře"
    r"|коментарі|комментарии|yorumlar|reacties|تعليقات|التعليقات|discussion|user comments"
    r"|reader comments|discussion about this (?:video|post|episode|podcast)|top comments"
    r"|all comments|responses)\s*:?$",
    re.IGNORECASE,
)
_MAX_HEADER_CHARS = 200
# Cheap gate for ``could_be_header`` (it runs on every description line): a header starts with a
# number, a number word or one of these words, ends with a number or ")", or is a bare heading.
_FIRST_WORDS = frozenset(
    {*(_WORD_NUM.split("|")), "view", "show", "see", "read", "be", "there", "нет", "коментарів"}
    | {"немає", "žádné", "keine", "aucun", "sin", "nessun", "brak", "henüz"}
)
_BARE_FORMS = frozenset(
    {"comments", "kommentare", "commentaires", "comentarios", "comentários", "commenti"}
    | {"komentarze", "komentáře", "коментарі", "комментарии", "yorumlar", "reacties", "تعليقات"}
    | {"التعليقات", "discussion", "user comments", "reader comments", "top comments"}
    | {"all comments", "responses", "discussion about this video", "discussion about this post"}
    | {"discussion about this episode", "discussion about this podcast"}
)


# The header patterns behind their derived first-character gates (etl.parse.gates): numbered
# comment lines pass ``could_be_header`` and would otherwise run all five.
_match_count_first = gated_match(_COUNT_FIRST_RE)
_match_stem_first = gated_match(_STEM_FIRST_RE)
_match_view_all = gated_match(_VIEW_ALL_RE)
_match_zero = gated_match(_ZERO_RE)
_match_bare = gated_match(_BARE_RE)
# The four after _COUNT_FIRST_RE behind one gate: numbered lines ("1. …", "00:07 …") and lines
# ending in a digit reach match_header often, and only _COUNT_FIRST_RE can start with a digit.
_OTHER_FORMS_GATE = union_gate(_STEM_FIRST_RE, _VIEW_ALL_RE, _ZERO_RE, _BARE_RE)
_MAX_FIRST_WORD_CHARS = max(map(len, _FIRST_WORDS))
_MAX_BARE_FORM_CHARS = max(map(len, _BARE_FORMS))

# A count with a unit at the end of the line: "• 1,2 тыс.", "• 1.2K".
_NUMBER_TAIL_RE = re.compile(r"\d[\s\u00a0]?[^\s\d]{1,5}$")


def could_be_header(line: str) -> bool:
    """Cheap pre-check: False means ``match_header(line)`` is certainly None."""
    if not line or len(line) > _MAX_HEADER_CHARS:
        return False
    if line[0].isdigit() or line[-1].isdigit() or line[-1] == ")":
        return True
    # Stem-first counts always have a separator: "Comments • 1,2 тыс.", "Comments: 1.2K".
    if ("•" in line or ":" in line or "·" in line) and _NUMBER_TAIL_RE.search(
        line, max(0, len(line) - 12)
    ):
        return True
    # Same as casefolding the whole line first: no character casefolds to a space or a colon,
    # and casefolding never shortens a string, so longer words/lines cannot be in the sets.
    word = line.split(" ", 1)[0]
    if len(word) <= _MAX_FIRST_WORD_CHARS and word.casefold() in _FIRST_WORDS:
        return True
    core = line.rstrip(" :")
    return len(core) <= _MAX_BARE_FORM_CHARS and core.casefold() in _BARE_FORMS


@dataclass(frozen=True, slots=True)
class Header:
    """A comment-section header: the declared count (None when no number) and its form."""

    count: int | None
    kind: HeaderKind


def match_header(line: str) -> Header | None:
    """The header stated by one stripped line, or None when the line is not a header."""
    if not line or len(line) > _MAX_HEADER_CHARS:
        return None
    match = _match_count_first(line)
    if match is not None:
        count = parse_count(match.group("n"))
        if count is None:
            return None
        if match.group("thoughts") is not None:
            return Header(count, "thoughts")
        rest = (match.group("rest") or "").strip()
        if rest == ":":
            return Header(count, "blogger")
        return Header(count, "zero" if count == 0 else "count")
    if _OTHER_FORMS_GATE is not None and _OTHER_FORMS_GATE.match(line) is None:
        return None
    for matcher in (_match_stem_first, _match_view_all):
        match = matcher(line)
        if match is not None:
            number = next(g for g in match.groups() if g is not None)
            count = parse_count(number)
            return None if count is None else Header(count, "zero" if count == 0 else "count")
    if _match_zero(line):
        return Header(0, "zero")
    if _match_bare(line):
        return Header(None, "bare")
    return None
