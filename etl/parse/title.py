"""The title line and the channel suffix (``Title | Channel``, ``Title - BBC News``).

The suffix after the last ``" | "`` is usually the channel, but shows, dates, episode markers and
guests also sit there (FORMATS.md): those stay in the title. A dash suffix is accepted only with
corroboration, because ``" - "`` separates ordinary title parts far more often than a channel.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from etl.errors import PageRejected
from etl.parse.gates import dispatch_match
from etl.parse.patterns import NAV_LINE_RE

_MAX_TITLE_CHARS = 1_000
# NAV_LINE_RE's alternatives, only those the line's first character allows (etl.parse.gates).
_match_nav = dispatch_match(NAV_LINE_RE)
# Real pages put the title in the first lines; scanning further only finds body text.
_MAX_LEADING_LINES = 40

_HOST_SUFFIX_RE = re.compile(r"\s+[-–—|]\s+(?:youtube|invidious|piped|yewtu\.be)\s*$", re.I)
_PIPE = " | "
_DASH_RE = re.compile(r"\s[-–—]\s")
_NOT_CHANNEL_RE = re.compile(
    r"\d{4}|\b\d{1,2}[/.]\d{1,2}\b|#\d|\b(?:ep|eps|episode|part|pt|chapter|season|vol|no)\b\.?\s*\d"
    r"|\bs\d+\s*e\d+\b|^(?:with|w/|ft\.?|feat\.?|featuring|vs\.?|and|by|guest|prod\.?)\s"
    # A person with an honorific is a guest or speaker, not the channel.
    r"|^(?:prof|dr|rev|pastor|sen|senator|rep|president|minister|sir|dame|imam|rabbi|father"
    r"|bishop|gen|general|mr|mrs|ms|judge|ambassador|col|capt|lt|speaker)\.?\s"
    r"|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?\s*\d"
    r"|^(?:official (?:video|trailer|music video|audio)"
    r"|full (?:video|episode|interview|movie|documentary|match|speech|show)"
    r"|videos?|vidéos?|vídeos?|видео|відео|transcript|podcast|interview|news|breaking news"
    r"|documentary|music video|audio|watch|stream|livestream|replay|recap|update|analysis"
    r"|lyrics?|live|hd|4k|trailer|highlights|reaction|explained|subtitles|shorts|#shorts"
    r"|eng sub|english subtitles|part \w+|full|uncut|reupload|teaser|preview|promo|clip"
    r"|(?:mon|tue|wednes|thurs|fri|satur|sun)day)$|[?!…]$|\.{3}$",
    re.IGNORECASE,
)
# Words that make a dash suffix believable as a channel/publication name.
_CHANNEL_WORD_RE = re.compile(
    r"(?i:\b(?:news|tv|channel|media|network|official|radio|times|post|daily|press|tribune|journal"
    r"|herald|gazette|today|studios?|productions?|podcast|show|magazine|report|online|world"
    r"|international|english|español|deutsch|français|вести|новости|новини|noticias|nachrichten"
    r"|info|live|insider|reuters|bloomberg|euronews|aljazeera|al jazeera)\b)|^[A-Z0-9]{2,6}\b",
)
_MAX_CHANNEL_WORDS = 7
_MAX_CHANNEL_CHARS = 60


@dataclass(frozen=True, slots=True)
class TitleLine:
    """The chosen title line: 0-based ``index`` and its stripped text, host suffix removed."""

    index: int
    raw: str


def find_title(stripped: Sequence[str]) -> TitleLine:
    """First plausible title line (skipping navigation chrome); ``PageRejected('no_title')``.

    ``stripped`` are the page's lines with surrounding whitespace removed.
    """
    for index, line in enumerate(stripped[:_MAX_LEADING_LINES]):
        if not line or _match_nav(line):
            continue
        if len(line) > _MAX_TITLE_CHARS:
            raise PageRejected("no_title", "first line is too long to be a title", index + 1)
        if not _has_words_or_emoji(line):
            continue
        raw = _HOST_SUFFIX_RE.sub("", line).strip()
        return TitleLine(index, raw or line)
    raise PageRejected("no_title", "no line that can be a title", None)


def _has_words_or_emoji(line: str) -> bool:
    """A title has a letter, a digit or an emoji; ``—— ••• ——`` and ``????`` are page junk."""
    return any(ch.isalnum() or unicodedata.category(ch) == "So" for ch in line)


def split_channel(raw_title: str, known_channel: str | None) -> tuple[str, str | None]:
    """``(title, channel)`` from a title line, given a channel stated elsewhere in the head.

    The suffix is taken as channel when it equals ``known_channel`` or, with no known channel,
    when it looks like one; otherwise it stays part of the title.
    """
    if _PIPE in raw_title:
        head, _, suffix = raw_title.rpartition(_PIPE)
        return _judge_suffix(raw_title, head, suffix, known_channel, strict=False)
    dashes = list(_DASH_RE.finditer(raw_title))
    if dashes:
        last = dashes[-1]
        head, suffix = raw_title[: last.start()], raw_title[last.end() :]
        return _judge_suffix(raw_title, head, suffix, known_channel, strict=True)
    return raw_title, known_channel


def title_suffix(raw_title: str) -> str | None:
    """The part of a title line a channel could be: after the last `` | ``, else after the last
    spaced dash (`` - ``, `` – ``, `` — ``); None when the line has neither."""
    if _PIPE in raw_title:
        return raw_title.rpartition(_PIPE)[2].strip()
    dashes = list(_DASH_RE.finditer(raw_title))
    return raw_title[dashes[-1].end() :].strip() if dashes else None


def _judge_suffix(
    raw_title: str, head: str, suffix: str, known_channel: str | None, *, strict: bool
) -> tuple[str, str | None]:
    """Decide whether ``suffix`` is the channel (see ``split_channel``)."""
    head, suffix = head.strip(), suffix.strip()
    if not head or not any(ch.isalnum() for ch in head):
        return raw_title, known_channel
    if known_channel is not None:
        if _same_name(suffix, known_channel):
            return head, known_channel
        return raw_title, known_channel
    if not looks_like_channel(suffix):
        return raw_title, None
    if strict and not _CHANNEL_WORD_RE.search(suffix):
        return raw_title, None
    return head, suffix


def looks_like_channel(text: str) -> bool:
    """A short name without date, episode marker, guest marker or sentence punctuation."""
    if not text or len(text) > _MAX_CHANNEL_CHARS:
        return False
    return _looks_like_channel(text)


# Pure and asked about short strings only (<= 60 characters), and the same channel names come
# back page after page: a bounded cache skips the long _NOT_CHANNEL_RE search for them.
@functools.lru_cache(maxsize=4096)
def _looks_like_channel(text: str) -> bool:
    """``looks_like_channel`` for a non-empty text of at most _MAX_CHANNEL_CHARS characters."""
    return (
        len(text.split()) <= _MAX_CHANNEL_WORDS
        and any(ch.isalpha() for ch in text)
        and _NOT_CHANNEL_RE.search(text) is None
        and not text[0].islower()
        and "http" not in text
    )


def _same_name(left: str, right: str) -> bool:
    """Channel names compared loosely: case, spacing and a leading ``@`` do not matter."""

    def key(name: str) -> str:
        return "".join(name.casefold().lstrip("@").split())

    return key(left) == key(right)
