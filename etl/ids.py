"""The one recipe that makes every id: deterministic, from natural keys, never from row order.

Parts are cast to text with an explicit NULL marker and length-prefixed (so no separator can
collide with data), then hashed. Same natural key -> same id on any machine, in any run.
``make_id`` is the recipe; ``make_ids`` applies it to whole Arrow columns (tested to agree).
"""

from __future__ import annotations

import binascii
import functools
import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


# The bulk form of make_id for transform, which makes ~75 ids per page (~150,000 per 2,000-page
# batch): keys are assembled by Arrow kernels and the hex digests by numpy, so the only per-id
# Python work left is one sha256 call. It produces exactly make_id's output (a property test
# compares them): Arrow's byte length of a UTF-8 string is the length make_id's byte path uses,
# and for ASCII keys its character length is the same number.

_NULL_PIECE = f"{len(_NULL.encode())}:{_NULL}"
# Integers and byte lengths below this are encoded by lookup in a table built once per size.
_TABLE_LIMIT = 1 << 16


def make_ids(prefix: str, *parts: pa.Array) -> pa.StringArray:
    """``make_id(prefix, *row)`` for every row of the equal-length columns ``parts``.

    Each part is a string or integer Arrow array, or a dictionary array of either (a column of
    repeated values, such as a page's video id on each of its comments, is encoded once per
    value); a null is the NULL part, as ``None`` is for make_id. Returns the ids in row order.
    """
    if not parts:
        raise ValueError("make_ids needs at least one part: the rows to make ids for")
    pieces = [piece for part in parts for piece in _key_pieces(part)]
    keys = pc.binary_join_element_wise(prefix, *pieces, "").cast(pa.binary()).to_pylist()
    sha256 = hashlib.sha256
    return _hex_ids(prefix, b"".join([sha256(key).digest() for key in keys]))


def _key_pieces(part: pa.Array) -> list[pa.Array]:
    """Arrays that, joined row by row, are make_id's encoding of ``part``: ``<byte length>:<text>``
    (``_NULL`` for a null). Arrow joins ~10 ns a piece a row, so parts come in as few pieces as
    a lookup can make them: one for a dictionary or a small integer, two for a string."""
    if isinstance(part, pa.DictionaryArray):
        encoded = _joined(_key_pieces(part.dictionary)).take(part.indices)
        return [pc.fill_null(encoded, _NULL_PIECE) if encoded.null_count else encoded]
    if pa.types.is_integer(part.type):
        smallest, largest = (v.as_py() for v in pc.min_max(part).values())
        if smallest is not None and smallest >= 0 and largest < _TABLE_LIMIT:
            encoded = _int_pieces(_table_size(largest)).take(part)
            return [pc.fill_null(encoded, _NULL_PIECE) if encoded.null_count else encoded]
        part = pc.cast(part, pa.string())
    text = pc.fill_null(part, _NULL) if part.null_count else part
    lengths = pc.binary_length(text)
    longest = pc.max(lengths).as_py()
    if longest is not None and longest < _TABLE_LIMIT:
        heads = _length_heads(_table_size(longest)).take(lengths)
    else:
        heads = pc.binary_join_element_wise(pc.cast(lengths, pa.string()), ":", "")
    return [heads, text]


def _joined(pieces: list[pa.Array]) -> pa.Array:
    return pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, "")


def _table_size(largest: int) -> int:
    """A power of two above ``largest``: few distinct tables, each built once."""
    return max(256, 1 << int(largest).bit_length())


@functools.cache
def _length_heads(size: int) -> pa.Array:
    """``"<n>:"`` for n in 0..size-1, the head of a part of n bytes."""
    return pa.array([f"{n}:" for n in range(size)], pa.string())


@functools.cache
def _int_pieces(size: int) -> pa.Array:
    """make_id's encoding of each integer 0..size-1 (``"<digits>:<n>"``)."""
    return pa.array([f"{len(str(n))}:{n}" for n in range(size)], pa.string())


def _hex_ids(prefix: str, digests: bytes) -> pa.StringArray:
    """``<prefix>_<first 20 hex digits>`` of each 32-byte digest in ``digests``, as one array
    built from its buffers (every id has the same width, so the offsets are a range)."""
    count = len(digests) // 32
    head = f"{prefix}_".encode()
    width = len(head) + _ID_HEX_CHARS
    hexed = np.frombuffer(binascii.hexlify(digests), dtype=np.uint8).reshape(count, 64)
    chars = np.empty((count, width), dtype=np.uint8)
    chars[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    chars[:, len(head) :] = hexed[:, :_ID_HEX_CHARS]
    offsets = np.arange(0, width * (count + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(chars))
