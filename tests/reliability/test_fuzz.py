"""Promise 4 (fuzz): random and mutated pages never crash the parser or the pipeline.

Mutations start from the recorded pages in tests/fixtures/pages (every family, every encoding
case) and delete, repeat, swap, re-indent, splice across families, nest replies, truncate
mid-character and flip bytes. The parser must return a ``ParsedPage`` or raise ``PageRejected``
(``parse_page_strict``: no safety net, so a bug surfaces here instead of hiding as a quarantine
row); the whole pipeline must publish or quarantine every page, with a reason from the contract.
"""

from __future__ import annotations

import functools
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import pipeline
from etl.check import reconcile
from etl.config import settings_from_env
from etl.contracts import contract
from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page_strict
from etl.query import run_query
from etl.records import ParsedPage
from tests.conftest import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "pages"
# Examples per run of the suite; a soak run sets RELIABILITY_FUZZ_SCALE (e.g. 20) to multiply them.
_SCALE = int(os.environ.get("RELIABILITY_FUZZ_SCALE", "1"))
PARSER_EXAMPLES = 1_000 * _SCALE
PIPELINE_EXAMPLES = 6 * _SCALE
PAGES_PER_PIPELINE_EXAMPLE = 12


@functools.cache
def fixture_pages() -> tuple[bytes, ...]:
    pages = tuple(p.read_bytes() for p in sorted(FIXTURES.glob("*.txt")))
    assert len(pages) >= 10, "the fuzzers need the recorded pages in tests/fixtures/pages"
    return pages


@functools.cache
def quarantine_reasons() -> frozenset[str]:
    return frozenset(contract("quarantine").column("reason_code").checks["in_set"])


_MUTATIONS = (
    "delete", "repeat", "swap", "indent", "dedent", "splice", "insert_text", "nest", "truncate",
    "flip_byte", "crlf", "bom",
)  # fmt: skip


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    """A recorded page with 0-6 random structural and byte-level mutations."""
    pages = fixture_pages()
    lines = draw(st.sampled_from(pages)).split(b"\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(_MUTATIONS))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        j = draw(st.integers(i, min(i + 8, len(lines))))
        if op == "delete":
            del lines[i:j]
        elif op == "repeat":
            lines[i:i] = lines[i:j] * draw(st.integers(1, 4))
        elif op == "swap" and lines:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif op == "indent" and lines:
            lines[i] = b" " * draw(st.integers(1, 16)) + lines[i]
        elif op == "dedent" and lines:
            lines[i] = lines[i].lstrip()
        elif op == "splice":
            other = draw(st.sampled_from(pages)).split(b"\n")
            k = draw(st.integers(0, max(len(other) - 1, 0)))
            lines[i:j] = other[k : k + draw(st.integers(1, 12))]
        elif op == "insert_text":
            lines.insert(i, draw(st.text(max_size=120)).encode("utf-8", "surrogatepass"))
        elif op == "nest":
            depth = draw(st.integers(1, 60))
            lines[i:i] = [b"  " * d + f"{d % 9 + 1}. @reply{d} text".encode() for d in range(depth)]
        elif op == "truncate":
            cut = draw(st.integers(0, sum(len(x) + 1 for x in lines)))
            lines = b"\n".join(lines)[:cut].split(b"\n")
        elif op == "flip_byte" and lines and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + bytes([draw(st.integers(0, 255))]) + lines[i][k + 1 :]
        elif op == "crlf":
            lines = [x + b"\r" for x in lines]
        elif op == "bom":
            lines[0:1] = [b"\xef\xbb\xbf" + (lines[0] if lines else b"")]
    return b"\n".join(lines)


def parse_outcome(raw: bytes) -> ParsedPage | PageRejected:
    """Decode and parse like the pipeline does, without its catch-all; anything else raises."""
    try:
        return parse_page_strict(decode_page(raw))
    except PageRejected as rejected:
        return rejected


def assert_sane(outcome: ParsedPage | PageRejected, raw: bytes) -> None:
    """A rejection has a contract reason; a parse result points at lines that exist."""
    if isinstance(outcome, PageRejected):
        assert outcome.reason_code in quarantine_reasons(), outcome.reason_code
        return
    n_lines = raw.count(b"\n") + raw.count(b"\r") + 1
    assert outcome.title.strip()
    for comment in outcome.comments:
        assert 1 <= comment.line_start <= comment.line_end <= n_lines, comment
        assert comment.parent_index is None or comment.parent_index < comment.index
    for link in outcome.links:
        assert 1 <= link.line <= n_lines, link


_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@pytest.mark.slow
@settings(_SETTINGS, max_examples=PARSER_EXAMPLES)
@given(mutated_page())
def test_parser_survives_mutated_fixture_pages(raw: bytes) -> None:
    assert_sane(parse_outcome(raw), raw)


@settings(_SETTINGS, max_examples=PARSER_EXAMPLES // 3)
@given(st.one_of(st.binary(max_size=4_000), st.text(max_size=2_000).map(str.encode)))
def test_parser_survives_random_bytes_and_text(raw: bytes) -> None:
    assert_sane(parse_outcome(raw), raw)


@pytest.mark.slow
@settings(_SETTINGS, max_examples=PIPELINE_EXAMPLES)
@given(st.lists(mutated_page(), min_size=1, max_size=PAGES_PER_PIPELINE_EXAMPLE))
def test_pipeline_publishes_or_quarantines_every_fuzzed_page(pages: list[bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="etl-fuzz-") as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse"
        landing.mkdir()
        for n, raw in enumerate(pages):
            (landing / f"fuzz_{n:03d}.txt").write_bytes(raw)
        run_settings = settings_from_env(
            {}, input=str(landing), warehouse=str(warehouse), entity_backend="rules", workers=1
        )
        pipeline.run(run_settings, run_id="fuzz", logical_date=date(2024, 5, 1))

        result = reconcile(str(landing), str(warehouse))
        assert result.ok, result
        assert result.published + result.quarantined == len(pages)
        _, rows = run_query(str(warehouse), "SELECT DISTINCT reason_code FROM quarantine")
        assert {r[0] for r in rows} <= quarantine_reasons()
