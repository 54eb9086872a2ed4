"""transform: records -> contract-conformed, key-sorted Arrow tables."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import ids
from etl.contracts import contract
from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage
from etl.transform import (
    PageResult,
    RunContext,
    _fixed_width_order,
    build_tables,
    registered_domain,
    url_host,
)

CTX = RunContext("2024-05-01", datetime(2024, 5, 1), "rules")
PLATFORMS = {"twitter.com": "twitter", "bit.ly": "shortener"}


def _page() -> PageResult:
    page = ParsedPage(
        title="Ties | part 2",
        channel="DW News",
        description="Follow https://twitter.com/dwnews #Iran",
        layout="ordered_list",
        title_line=1,
        hashtags=("Iran",),
        declared_comment_count=22,
        comments=(
            PageComment(0, "first", 10, 11, author=None),
            PageComment(
                1, "@Ann reply bit.ly/x", 12, 12, author="@bob", parent_index=0, like_count=3
            ),
        ),
        links=(
            PageLink("https://twitter.com/dwnews", "Twitter", "description", 3),
            PageLink("bit.ly/x", None, "comment", 12, comment_index=1),
        ),
    )
    mentions = (
        Mention("title", "Ties", "ORG", 0, 4, "Ties"),
        Mention("comment", "Ann", "PERSON", 1, 4, "Ann", comment_index=1),
    )
    return PageResult(PageSource("p1", "/in/p1.txt", "a" * 64, 123), page, mentions)


def test_tables_follow_contracts() -> None:
    tables = build_tables([_page()], CTX, PLATFORMS)
    for name, table in tables.items():
        assert table.schema.equals(contract(name).arrow_schema, check_metadata=False)
    assert {n: t.num_rows for n, t in tables.items()} == {
        "videos": 1,
        "comments": 2,
        "links": 2,
        "entities": 2,
    }


def test_parent_and_comment_links_use_ids() -> None:
    tables = build_tables([_page()], CTX, PLATFORMS)
    vid = ids.video_id("p1")
    comments = {r["position"]: r for r in tables["comments"].to_pylist()}
    assert comments[2]["parent_comment_id"] == ids.comment_id(vid, 1)
    assert comments[1]["parent_comment_id"] is None
    links = {r["position"]: r for r in tables["links"].to_pylist()}
    assert links[2]["comment_id"] == ids.comment_id(vid, 2)
    assert (links[1]["host"], links[1]["domain"], links[1]["platform"]) == (
        "twitter.com",
        "twitter.com",
        "twitter",
    )
    assert (links[2]["host"], links[2]["platform"]) == ("bit.ly", "shortener")
    video = tables["videos"].to_pylist()[0]
    assert (video["comment_count"], video["link_count"], video["declared_comment_count"]) == (
        2,
        2,
        22,
    )


def test_rows_are_sorted_by_key_and_deterministic() -> None:
    a = build_tables([_page()], CTX, PLATFORMS)
    b = build_tables([_page()], CTX, PLATFORMS)
    for name in a:
        assert a[name].equals(b[name])
        key = contract(name).primary_key[0]
        values = a[name][key].to_pylist()
        assert values == sorted(values)


def test_input_records_are_not_mutated() -> None:
    result = _page()
    before = repr(result)
    build_tables([result], CTX, PLATFORMS)
    assert repr(result) == before


@pytest.mark.parametrize(
    ("url", "host", "domain"),
    [
        ("https://www.bbc.co.uk/news?x=1", "www.bbc.co.uk", "bbc.co.uk"),
        ("www.example.com/a", "www.example.com", "example.com"),
        ("x.com/name", "x.com", "x.com"),
        ("HTTP://Example.COM:8080/", "example.com", "example.com"),
        ("https://foo.blogspot.com/p", "foo.blogspot.com", "blogspot.com"),
    ],
)
def test_host_and_registered_domain(url: str, host: str, domain: str) -> None:
    assert url_host(url) == host
    assert registered_domain(host) == domain


def _seed_results() -> list[PageResult]:
    """The seed pages, parsed and annotated with the rules backend (real, varied rows)."""
    from etl import pipeline
    from etl.config import project_root
    from etl.errors import PageRejected
    from etl.extract import decode_page
    from etl.parse import parse_page

    parsed = []
    for path in sorted((project_root() / "seeds" / "pages").glob("*.txt")):
        try:
            page = parse_page(decode_page(path.read_bytes()))
        except PageRejected:
            continue
        parsed.append((PageSource(path.stem, path.name, "0" * 64, 1), page))
    mentions, failures = pipeline._annotate("rules", parsed)
    assert not failures
    return [PageResult(s, p, tuple(m)) for (s, p), m in zip(parsed, mentions, strict=True)]


def test_sub_batches_combined_equal_one_build_over_all_pages() -> None:
    from etl.transform import combine_tables

    results = _seed_results()
    whole = build_tables(results, CTX, PLATFORMS)
    parts = [
        build_tables(results[i : i + 3], CTX, PLATFORMS, sort=False)
        for i in range(0, len(results), 3)
    ]
    combined = combine_tables(parts)
    assert combined.keys() == whole.keys()
    for name, table in whole.items():
        assert table.num_rows > 0
        assert combined[name].equals(table), name
    # ...which needs the final sort: the parts simply concatenated are in page order.
    import pyarrow as pa

    unsorted = pa.concat_tables([part["entities"] for part in parts])
    assert not unsorted.equals(whole["entities"])


def _with_comments(*comments: PageComment) -> PageResult:
    page = ParsedPage(title="t", channel=None, description="", layout="mirror", title_line=1)
    page = dataclasses.replace(page, comments=comments)
    return PageResult(PageSource("p", "p.txt", "0" * 64, 1), page, ())


def test_comment_indexes_out_of_page_order_are_an_error() -> None:
    with pytest.raises(ValueError, match=r"p: comment indexes are not 0\.\.n-1"):
        build_tables([_with_comments(PageComment(1, "x", 2, 2))], CTX, PLATFORMS)


@pytest.mark.parametrize("parent", [2, 5, -1])
def test_a_reply_to_a_comment_not_on_its_page_is_an_error(parent: int) -> None:
    # Not a wrap to another page's comment (index 2 would be the next page's first comment).
    result = _with_comments(
        PageComment(0, "x", 2, 2), PageComment(1, "y", 3, 3, parent_index=parent)
    )
    with pytest.raises(ValueError, match=r"p: index -?\d+ refers outside the page.s 2 rows"):
        build_tables([result, _page()], CTX, PLATFORMS)


def test_no_pages_give_empty_tables_of_the_contracts() -> None:
    for name, table in build_tables([], CTX, PLATFORMS).items():
        assert table.num_rows == 0
        assert table.schema.equals(contract(name).arrow_schema, check_metadata=True)


_FIXED = st.integers(min_value=0, max_value=12).flatmap(
    lambda width: st.tuples(
        st.text("xy", min_size=0, max_size=4),  # a prefix every value shares
        st.lists(st.text("ab\x00é", min_size=width, max_size=width), max_size=60),
    )
)


@given(_FIXED, st.integers(min_value=0, max_value=3))
def test_fixed_width_order_is_arrows_stable_sort(
    case: tuple[str, list[str]], chunk_at: int
) -> None:
    prefix, texts = case
    values = [prefix + t for t in texts]
    if len({len(v.encode()) for v in values}) > 1:  # "é" is two bytes: not one width
        values = [prefix + t.replace("é", "e") for t in texts]
    column = pa.chunked_array(
        [pa.array(values[:chunk_at], pa.string()), pa.array(values[chunk_at:], pa.string())]
    )
    order = _fixed_width_order(column)
    expected = pc.sort_indices(column).to_pylist()
    assert order is None or order.tolist() == expected


def test_fixed_width_order_of_ids_and_of_other_columns() -> None:
    ids_ = pa.chunked_array([ids.make_ids("m", pa.array(range(5000), pa.int64()))])
    order = _fixed_width_order(ids_)
    assert order is not None
    assert order.tolist() == pc.sort_indices(ids_).to_pylist()
    sliced = pa.chunked_array([ids_.chunk(0).slice(7, 300)])
    assert _fixed_width_order(sliced).tolist() == pc.sort_indices(sliced).to_pylist()  # type: ignore[union-attr]
    assert _fixed_width_order(pa.chunked_array([pa.array(["a", "bb"])])) is None
    assert _fixed_width_order(pa.chunked_array([pa.array(["a", None])])) is None
    assert _fixed_width_order(pa.chunked_array([pa.array([2, 1])])) is None
    tied = pa.chunked_array([pa.array([f"{'k' * 8}{n % 97:03d}" for n in range(500)])])
    assert _fixed_width_order(tied) is None  # many ties on the 8-byte window: Arrow sorts
