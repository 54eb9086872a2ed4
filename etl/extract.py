"""Bytes of one scraped page -> normalised text (pure: no I/O), or a ``PageRejected`` with a reason.

Reason codes (stable, part of the quarantine contract): ``too_large``, ``empty``, ``binary``,
``undecodable``. The checks run cheapest first so a 100,000-page run never pays for charset
detection on the common UTF-8 case.
"""

from __future__ import annotations

import codecs
import hashlib
import re

from charset_normalizer import from_bytes

from etl.errors import PageRejected

# 8 MB is ~2,000x the seed page and far above any real page in the survey (the largest, with a few
# thousand comments, was < 1 MB); it bounds per-page memory (raw + decoded str + lines ~ 4x) while
# leaving room for the pathological multi-megabyte single-line pages the parser must still survive.
DEFAULT_MAX_BYTES = 8_000_000

# Charset detection is slow and its verdict stabilises quickly; a sample keeps it O(1) per page.
_DETECT_SAMPLE_BYTES = 256_000
_CONTROL_SAMPLE_BYTES = 65_536
# More than 1 NUL per 1,000 bytes (or any in a short page) is a binary file, not a scraper slip.
_NUL_PER_BYTES = 1_000
# Printable text never has more than a few percent of C0 control bytes besides tab/LF/CR/FF.
_MAX_CONTROL_RATIO = 0.05
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"\xfd7zXZ",
    b"\x00\x00\x00",
)
_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PREFERRED_ON_TIE = ("utf_8", "cp1252", "latin_1", "iso8859_15")
# Stray NULs (tolerated above) and C0 controls that no text layout uses; tab and form feed stay.
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sha256_hex(raw: bytes) -> str:
    """Hex SHA-256 of the raw bytes: the page's content identity (``PageSource.content_sha256``)."""
    return hashlib.sha256(raw).hexdigest()


def decode_page(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode one page's bytes to text with ``\\n`` line ends and no BOM.

    UTF-8 (with or without BOM) is tried first; BOM-marked UTF-16/32 is honoured; anything else goes
    to charset-normalizer. Raises ``PageRejected`` (``too_large``, ``empty``, ``binary``,
    ``undecodable``); never anything else.
    """
    if len(raw) > max_bytes:
        raise PageRejected("too_large", f"page is {len(raw):,} bytes, limit is {max_bytes:,}")
    # Same as ``not raw.strip()`` without copying the page (isspace stops at the first byte
    # that is not ASCII whitespace; bytes.strip strips exactly those).
    if not raw or raw.isspace():
        raise PageRejected("empty", "page has no content")
    text = _decode_bom_unicode(raw)
    may_have_controls = True
    if text is None:
        has_control_bytes = _reject_binary(raw)
        text, is_utf8 = _decode_utf8_or_detect(raw)
        # In UTF-8, C0 controls and DEL are single bytes and never occur inside a multi-byte
        # character: clean bytes give clean text, and the per-character scan is skipped.
        may_have_controls = has_control_bytes or not is_utf8
    text = _normalise(text, may_have_controls=may_have_controls)
    if not text or text.isspace():  # ``not text.strip()`` without the copy
        raise PageRejected("empty", "page has only whitespace")
    return text


def _decode_bom_unicode(raw: bytes) -> str | None:
    """UTF-16/32 with a BOM: decoded here because their NUL bytes would look binary."""
    for bom, codec in _UTF16_32_BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                raise PageRejected("undecodable", f"invalid {codec} after its BOM") from None
    return None


def _reject_binary(raw: bytes) -> bool:
    """Raise ``binary`` for known binary signatures, NUL-laden or control-heavy content.

    Returns whether ``raw`` may hold NUL or other control bytes (False only when none is there).
    """
    if raw.startswith(_BINARY_MAGIC):
        raise PageRejected("binary", "content starts with a binary file signature")
    nuls = raw.count(b"\x00")
    if nuls and nuls * _NUL_PER_BYTES >= len(raw):
        raise PageRejected("binary", f"{nuls} NUL bytes in {len(raw)} bytes")
    sample = raw[:_CONTROL_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_RATIO * len(sample):
        raise PageRejected("binary", f"{controls} control bytes in the first {len(sample)} bytes")
    return bool(nuls or controls or len(sample) < len(raw))


def _decode_utf8_or_detect(raw: bytes) -> tuple[str, bool]:
    """Strict UTF-8 first (the common case, fast); otherwise charset-normalizer's best guess.

    Returns the text and whether it was UTF-8.
    """
    try:
        # "utf-8-sig" by hand: that codec is a Python-level wrapper around the C decoder.
        if raw.startswith(codecs.BOM_UTF8):
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), True
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    encoding = _detect_encoding(raw[:_DETECT_SAMPLE_BYTES])
    try:
        return raw.decode(encoding), False
    except (UnicodeDecodeError, LookupError):
        # The sample decoded but the full page does not: the guess is not trustworthy.
        raise PageRejected("undecodable", f"not valid {encoding} beyond the sample") from None


def _detect_encoding(sample: bytes) -> str:
    """charset-normalizer's best encoding; among equally good guesses the common Western ones win.

    Short Western pages often score cp1250/cp1252/cp1257 identically (same chaos and coherence);
    cp1252 is by far the most frequent in scraped pages, and picking cp1250 turns "à" into "ŕ".
    """
    results = from_bytes(sample)
    best = results.best()
    if best is None or best.encoding is None:
        raise PageRejected("undecodable", "not UTF-8 and no plausible encoding found")
    tied = {
        match.encoding
        for match in results
        if match.chaos == best.chaos and match.coherence == best.coherence
    }
    return next((name for name in _PREFERRED_ON_TIE if name in tied), best.encoding)


def _normalise(text: str, *, may_have_controls: bool = True) -> str:
    """LF line ends, no leading BOM, no NUL/C0 control characters (tab and form feed kept).

    ``may_have_controls=False`` (the caller saw no control byte) skips the control scan.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if may_have_controls and _CONTROL_CHARS_RE.search(text):
        text = _CONTROL_CHARS_RE.sub("", text)
    return text
