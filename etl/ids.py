"""The one function that makes every id: deterministic, from natural keys, never from row order.

Parts are cast to text with an explicit NULL marker and length-prefixed (so no separator can
collide with data), then hashed. Same natural key -> same id on any machine, in any run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_NULL = "\x00NULL"
_ID_HEX_CHARS = 20  # 80 bits: collision odds ~1e-12 at 1e6 rows per table.


def make_id(prefix: str, *parts: str | int | None) -> str:
    """Return ``<prefix>_<20 hex>`` for the natural key ``parts``."""
    key = prefix
    for part in parts:
        text = _NULL if part is None else str(part)
        key += f"{len(text)}:{text}"
    if key.isascii():
        # In ASCII a character is a byte, so this string encodes to exactly the bytes the loop
        # below hashes; one encode and one update is ~30% faster (ids were most of transform).
        return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:_ID_HEX_CHARS]}"
    h = hashlib.sha256(prefix.encode())
    for part in parts:
        text = _NULL if part is None else str(part)
        encoded = text.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(encoded))
        h.update(encoded)
    return f"{prefix}_{h.hexdigest()[:_ID_HEX_CHARS]}"


def video_id(page_id: str) -> str:
    """A page keeps its video_id across versions; the views pick the latest version."""
    return make_id("v", page_id)


def comment_id(video: str, position: int) -> str:
    return make_id("c", video, position)


def link_id(video: str, position: int) -> str:
    return make_id("l", video, position)


def mention_id(
    video: str, source: str, comment: str | None, start_char: int, end_char: int, label: str
) -> str:
    return make_id("m", video, source, comment, start_char, end_char, label)


# Bulk forms of the per-row ids above for transform, which makes ~75 ids per page: one f-string
# per key instead of make_id's loop over parts (~45% less time per id). They produce exactly
# make_id's output (a property test compares them); any non-ASCII key takes make_id itself.


def _positional_ids(prefix: str, video: str, count: int) -> list[str]:
    head = f"{prefix}{len(video)}:{video}"
    if not head.isascii():
        return [make_id(prefix, video, n) for n in range(1, count + 1)]
    sha256 = hashlib.sha256
    return [
        f"{prefix}_{sha256(f'{head}{len(str(n))}:{n}'.encode()).hexdigest()[:_ID_HEX_CHARS]}"
        for n in range(1, count + 1)
    ]


def comment_ids(video: str, count: int) -> list[str]:
    """``[comment_id(video, 1), ..., comment_id(video, count)]``."""
    return _positional_ids("c", video, count)


def link_ids(video: str, count: int) -> list[str]:
    """``[link_id(video, 1), ..., link_id(video, count)]``."""
    return _positional_ids("l", video, count)


def mention_ids(video: str, keys: Iterable[tuple[str, str | None, int, int, str]]) -> list[str]:
    """``mention_id(video, *key)`` for every ``(source, comment, start, end, label)`` key."""
    head = f"m{len(video)}:{video}"
    sha256 = hashlib.sha256
    out: list[str] = []
    for source, comment, start, end, label in keys:
        cid = _NULL if comment is None else comment
        s, e = str(start), str(end)
        key = (
            f"{head}{len(source)}:{source}{len(cid)}:{cid}{len(s)}:{s}{len(e)}:{e}"
            f"{len(label)}:{label}"
        )
        if key.isascii():
            out.append(f"m_{sha256(key.encode()).hexdigest()[:_ID_HEX_CHARS]}")
        else:
            out.append(make_id("m", video, source, comment, start, end, label))
    return out
