"""transform: records -> contract-conformed, key-sorted Arrow tables."""

from __future__ import annotations

from datetime import datetime

import pytest

from etl import ids
from etl.contracts import contract
from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage
from etl.transform import PageResult, RunContext, build_tables, registered_domain, url_host

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
