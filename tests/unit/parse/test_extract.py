"""decode_page: bytes -> normalised text, or a PageRejected with a stable reason code."""

from __future__ import annotations

import codecs

import pytest

from etl.errors import PageRejected
from etl.extract import DEFAULT_MAX_BYTES, decode_page, sha256_hex

PAGE = "Title | Channel\n\nA video about “quotes” – and émojis 🎉\n"


def _reason(raw: bytes, **kwargs: int) -> str:
    with pytest.raises(PageRejected) as caught:
        decode_page(raw, **kwargs)
    return caught.value.reason_code


def test_plain_utf8_is_returned_unchanged() -> None:
    assert decode_page(PAGE.encode()) == PAGE


def test_utf8_bom_is_stripped() -> None:
    assert decode_page(codecs.BOM_UTF8 + PAGE.encode()) == PAGE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_become_lf(newline: str) -> None:
    assert decode_page(PAGE.replace("\n", newline).encode()) == PAGE


def test_cp1252_is_detected_by_charset_normalizer() -> None:
    text = (
        "L’été à Montréal – vidéo\n\nTrès belle vidéo, « magnifique » ! Schöne Grüße, 20 €.\n" * 3
    )
    assert decode_page(text.encode("cp1252")) == text


def test_latin1_page_decodes() -> None:
    text = "Café in München\n\nDas Video über die Straße, schön gemacht. Ça va très bien.\n" * 3
    decoded = decode_page(text.encode("latin-1"))
    assert "München" in decoded and "Straße" in decoded


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    assert decode_page(PAGE.encode(codec)) == PAGE


def test_stray_control_characters_are_removed() -> None:
    raw = ("Title\n\n" + "text " * 400 + "\x00\x07end\n").encode()
    assert decode_page(raw).endswith("text end\n")


@pytest.mark.parametrize("raw", [b"", b"   ", b"\n\r\n\t ", codecs.BOM_UTF8 + b" \n"])
def test_empty(raw: bytes) -> None:
    assert _reason(raw) == "empty"


def test_too_large_uses_the_limit() -> None:
    assert _reason(b"x" * 11, max_bytes=10) == "too_large"
    assert decode_page(b"x" * 10, max_bytes=10) == "x" * 10
    assert DEFAULT_MAX_BYTES == 8_000_000


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"%PDF-1.7\n" + b"x" * 100,
        b"PK\x03\x04" + b"\x00" * 50,
        b"text\x00with\x00many\x00nuls",
        bytes(range(1, 32)) * 20,
    ],
)
def test_binary(raw: bytes) -> None:
    assert _reason(raw) == "binary"


def test_undecodable_when_no_plausible_encoding() -> None:
    # Every high byte in turn: invalid UTF-8 and chaotic in every single-byte code page.
    assert _reason(bytes(range(128, 256)) * 10) == "undecodable"


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
