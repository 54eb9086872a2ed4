"""URLs and their labels, one line at a time (``Facebook: https://…``, bare URLs, ``bit.ly/abc``).

A URL is ``http(s)://…``, ``www.…`` or a scheme-less ``host.tld/path`` (FORMATS.md); it is kept as
written minus trailing punctuation. E-mail addresses, ``@handles`` and file globs are not URLs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Characters that can never be inside a URL as pages write them (quotes, angle brackets, spaces).
_URL_BODY = r"[^\s<>\"“”«»‘`|\\^{}]"
# Scheme-less hosts need a TLD from this list: it is what keeps ``file.py/x`` or ``e.g/…`` out.
# (Checked in Python after the match: an alternation of TLDs inside the pattern made long
# ``a.a.a.…`` runs backtrack through every TLD at every dot.)
_BARE_TLDS = (
    "com|org|net|io|ly|be|gl|co|tv|me|gg|fm|info|de|uk|ru|ua|fr|es|it|nl|eu|us|ca|au|in|news|app"
    "|dev|xyz|cz|sk|pl|ch|at|se|no|dk|fi|jp|cn|br|mx|ar|link|site|online|to|cc|sh|ai|live|video"
    "|media|store|shop|blog|page|world|press|club|so|la|ms|am|ws|is|gov|edu|int|tr|ir|il|ae|sa|eg"
    "|pk|ng|za|ke|kr|tw|hk|sg|my|id|ph|vn|th|nz|ie|pt|gr|ro|hu|bg|rs|hr|by|kz|ge|su|pro|biz"
    "|social|network|wiki|tech|space|one|tk|ml|ga|cf|im|fyi|lol"
)
_URL_RE = re.compile(
    rf"(?i)(?:\bhttps?://{_URL_BODY}+"
    rf"|(?<![\w@.\-/])www\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)+{_URL_BODY}*"
    rf"|(?<![\w@.\-/#~*])(?P<host>[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)+)/{_URL_BODY}*)"
)
_BARE_TLD_SET = frozenset(_BARE_TLDS.split("|"))
# Starts with a literal so the regex engine can skip ahead quickly on long lines.
_BARE_HINT_RE = re.compile(r"\.[A-Za-z]{2,24}/")
# A scheme glued to the end of the previous URL ("…/ahttps://b") starts a new URL.
_GLUED_SCHEME_RE = re.compile(r"(?i)(?<=.)(?=https?://)")
_TRAILING = ".,;:!?)]}'\"’”»…，。、！？）"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Bullets and arrows that introduce label lines ("►Facebook: …", "– Twitter: …", "👉 Shop: …").
_LABEL_STRIP = " \t\u00a0►▶▸➤➜→⇒•·–—-*>|👉🔗📌✅🔔:"
# The break after a sentence ("fine. Transcript"); it starts at the punctuation so the engine can
# jump between candidates (a leading lookbehind made it test every position).
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?<=\w[.!?])\s+(?=\S)")
_LABEL_ENDERS = frozenset(":：-–—►➜→|👉")
# The label-end rule as a pattern (the reference for the character test in _label_before).
_LABEL_END_RE = re.compile(r"(?:\s*[:：]|\s+[-–—►➜→|]|\s*👉)\s*$")
_SPACED_ENDERS = frozenset("-–—►➜→|")
_MAX_LABEL_CHARS = 120
_MAX_LABEL_WORDS = 10
# The url check of schemas/links.yaml: every URL the parser emits must satisfy it.
_CONTRACT_URL_RE = re.compile(r"^(?:https?://|www\.)?[^\s/]*[A-Za-z0-9-]\.[A-Za-z]{2,}", re.I)
_MIN_URL_CHARS = 4
# Transcript lines glue a time stamp to the text ("01:10Sponsored by: …"): not part of a label.
_TIMESTAMP_PREFIX_RE = re.compile(r"^\(?\d{1,2}:\d{2}(?::\d{2})?\)?\s*")


@dataclass(frozen=True, slots=True)
class LineLink:
    """One URL found in one line; ``start`` is its character offset in that line."""

    url: str
    label: str | None
    start: int


def find_links(line: str) -> tuple[LineLink, ...]:
    """All URLs of one line in order, each with the label written before it (``Label: URL``)."""
    return tuple(LineLink(url, label, start) for url, label, start in link_parts(line))


LinkParts = tuple[tuple[str, str | None, int], ...]


def link_parts(line: str) -> LinkParts:
    """``find_links`` as plain ``(url, label, start)`` tuples (the parser builds its own rows,
    so a page with thousands of links does not pay for an intermediate record each).

    Channels repeat the same link block under every video ("Subscribe: …", "Facebook: …"), so
    short lines are answered from a bounded cache (the result is immutable).
    """
    return url_line_parts(line) if may_have_url(line) else ()


def url_line_parts(line: str) -> LinkParts:
    """``link_parts`` of a line the caller has already seen pass ``may_have_url``."""
    if len(line) <= _MAX_CACHED_LINE_CHARS:
        return _cached_link_parts(line)
    return _link_parts(line)


def _link_parts(line: str) -> LinkParts:
    """``link_parts`` without the cache."""
    found: list[tuple[str, str | None, int]] = []
    previous_end = 0
    for match in _url_matches(line):
        host = match.group("host")
        if host is not None and host.rpartition(".")[2].casefold() not in _BARE_TLD_SET:
            continue
        offset = match.start()
        text = match.group()
        pieces = _GLUED_SCHEME_RE.split(text) if text.count("://") > 1 else (text,)
        for piece in pieces:
            url = clean_url(piece)
            if _is_url(url):
                prefix = line[previous_end:offset]
                label = (
                    _cached_label_before(prefix)
                    if len(prefix) <= _MAX_CACHED_PREFIX_CHARS
                    else _label_before(prefix)
                )
                found.append((url, label, offset))
                previous_end = offset + len(url)
            offset += len(piece)
        previous_end = max(previous_end, match.end())
    return tuple(found)


_cached_link_parts = functools.lru_cache(maxsize=4096)(_link_parts)
_MAX_CACHED_LINE_CHARS = 300


def _url_matches(line: str) -> Iterator[re.Match[str]]:
    """``_URL_RE.finditer(line)``, run only over the tokens that can hold a match.

    No alternative of ``_URL_RE`` matches whitespace, and each needs a "/" (scheme, bare host) or
    two dots (``www.host.tld``), so every match lies inside one such token; its lookbehinds
    still see the character before the token. Over a whole line the pattern tried every
    position of the prose (~30 us per 200 characters).
    """
    end = 0
    for token in line.split():  # str.split and the pattern's \s agree on what is whitespace
        if "/" in token or token.count(".") >= 2:
            # Only whitespace and tokens that cannot match lie between ``end`` and this token.
            start = line.find(token, end)
            end = start + len(token)
            yield from _URL_RE.finditer(line, start, end)


def may_have_url(line: str) -> bool:
    """Cheap pre-check (most lines have no URL): a scheme, ``www.`` or ``.tld/`` somewhere."""
    if "." not in line:
        return False
    if "://" in line or "www." in line or "WWW." in line:
        return True
    return "/" in line and _BARE_HINT_RE.search(line) is not None


def clean_url(url: str) -> str:
    """Drop trailing sentence punctuation; keep a closing bracket the URL itself opened."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        opener = _CLOSERS.get(last)
        if opener is not None and url.count(opener) >= url.count(last):
            break
        url = url[:-1]
    return url


def _is_url(url: str) -> bool:
    """A host with a letter TLD (schemas/links.yaml); a bare scheme, IPs or localhost are not."""
    return len(url) >= _MIN_URL_CHARS and _CONTRACT_URL_RE.match(url) is not None


def _label_before(prefix: str) -> str | None:
    """The label in ``Label: `` (or ``Label - ``) text before a URL, bullets removed; else None."""
    tail = prefix.rstrip()
    if not tail or tail[-1] not in _LABEL_ENDERS:
        return None
    # What _LABEL_END_RE requires of a tail ending in one of _LABEL_ENDERS: a colon or 👉, or a
    # dash/arrow/pipe with whitespace before it (a character test instead of a search).
    if tail[-1] in _SPACED_ENDERS and not (len(tail) >= 2 and tail[-2].isspace()):
        return None
    label = prefix.strip(_LABEL_STRIP)
    if label[:1].isdigit() or label[:1] == "(":
        label = _TIMESTAMP_PREFIX_RE.sub("", label).strip(_LABEL_STRIP)
    # "She did fine. Transcript: URL" -> the label is the last clause, not the whole sentence.
    if "." in label or "!" in label or "?" in label:
        breaks = list(_SENTENCE_BREAK_RE.finditer(label))
        if breaks:
            label = label[breaks[-1].end() :]
        label = label.strip(_LABEL_STRIP)
    if not label or len(label) > _MAX_LABEL_CHARS or not any(ch.isalnum() for ch in label):
        return None
    # Labels are headings ("Facebook", "For more news go to"); a lowercase start or a long
    # clause is prose that happens to end in a colon ("the proposals are in: URL").
    if label[0].islower() or len(label.split()) > _MAX_LABEL_WORDS:
        return None
    return label


# Text before a URL is mostly a repeated label ("Source: ", "Facebook: "): short prefixes are
# answered from a bounded cache (pure function of the prefix, immutable result).
_cached_label_before = functools.lru_cache(maxsize=1024)(_label_before)
_MAX_CACHED_PREFIX_CHARS = 80
