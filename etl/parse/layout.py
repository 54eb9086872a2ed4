"""Which family a page was read as, and whether it is about a video at all.

The not-a-video verdict is deliberately conservative: one video signal anywhere (a video word, a
video-host link, chapter timestamps, mirror or transcript chrome, YouTube-style comments) keeps
the page. Only a page with none of them - a plain article with comments - is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from etl.parse.comments import CommentStyle
from etl.parse.headers import Header
from etl.parse.patterns import TIMESTAMP_LINE_RE, VIDEO_HOSTS, VIDEO_WORD_RE

_STYLE_LAYOUT: dict[CommentStyle, str] = {
    "ordered": "ordered_list",
    "mirror": "mirror",
    "wordpress": "wordpress",
    "blogger": "blogger",
    "substack": "discussion",
    "re_subject": "discussion",
    "name_date": "discussion",
}
_WORDPRESS_FOOTER_RE = re.compile(
    r"^(?:leave a (?:reply|comment)|your email address will not be published"
    r"|this site uses akismet)",
    re.IGNORECASE,
)
_BLOGGER_FOOTER_RE = re.compile(r"^(?:post a comment|newer post|older post)", re.IGNORECASE)
# Words that hint at video only in a title (in body text they are too often something else).
_TITLE_VIDEO_RE = re.compile(
    r"\b(?:episode|trailer|clip|footage|documentary|broadcast|podcast|interview|live|watch"
    r"|subscribe|highlights|full match|reaction|stream|vlog|time-?lapse|4k|8k|1080p|720p)\b",
    re.IGNORECASE,
)
_MIN_TIMESTAMP_LINES = 2
# Casefolded words that say video anywhere on a page, in the interface languages seen.
_VIDEO_SUBSTRINGS = (
    "youtube",
    "video",
    "youtu.be",
    "vídeo",
    "vidéo",
    "видео",
    "відео",
    "videa",
    "vimeo",
    "dailymotion",
    "rumble.com",
    "bitchute",
    "odysee",
    "twitch.tv",
    "tiktok",
    "transcript",
    "livestream",
    "live stream",
    "watch?v=",
    "فيديو",
)


def classify_layout(
    *,
    style: CommentStyle | None,
    is_mirror: bool,
    is_transcript: bool,
    header: Header | None,
    footer: str | None,
    description_lines: Sequence[str],
) -> str:
    """The layout name (``ParsedPage.layout``) from the strongest structural evidence."""
    if is_mirror:
        return "mirror"
    if is_transcript:
        return "transcript"
    if style is not None and style != "name_date":
        return _STYLE_LAYOUT[style]
    if header is not None and header.kind == "thoughts":
        return "wordpress"
    if header is not None and header.kind == "blogger":
        return "blogger"
    if footer is not None and _WORDPRESS_FOOTER_RE.match(footer):
        return "wordpress"
    if footer is not None and _BLOGGER_FOOTER_RE.match(footer):
        return "blogger"
    if style is not None:
        return _STYLE_LAYOUT[style]
    if _timestamp_lines(description_lines) >= 3:
        return "transcript"
    return "news"


def is_video_page(
    *,
    title: str,
    description: str,
    text: str,
    stripped: Sequence[str],
    link_urls: Iterable[str],
    layout: str,
    style: CommentStyle | None,
) -> bool:
    """True unless nothing on the page says video (see module docstring).

    ``text`` is the whole page: substring tests on it stay fast on multi-megabyte pages where a
    word regex over every line would not. The page is casefolded only if the common lowercase
    spellings are absent.
    """
    if layout in ("mirror", "transcript") or style == "mirror":
        return True
    # Cheapest checks first: most video pages say "video"/"youtube" somewhere.
    if any(word in text for word in _VIDEO_SUBSTRINGS):
        return True
    folded = text.casefold()
    if any(word in folded for word in _VIDEO_SUBSTRINGS):
        return True
    if _TITLE_VIDEO_RE.search(title) or VIDEO_WORD_RE.search(title):
        return True
    if any(host in url.casefold() for url in link_urls for host in VIDEO_HOSTS):
        return True
    if _timestamp_lines(stripped) >= _MIN_TIMESTAMP_LINES:
        return True
    return VIDEO_WORD_RE.search(description) is not None


def _timestamp_lines(lines: Sequence[str]) -> int:
    """How many lines start with a chapter/transcript time stamp (``00:07``, ``1:02:03``)."""
    return sum(1 for line in lines if line[:1].isdigit() and TIMESTAMP_LINE_RE.match(line))
