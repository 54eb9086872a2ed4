"""Batches built directly from hand-made records, so validation tests never depend on the parser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pyarrow as pa
import pytest

from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage
from etl.transform import PageResult, RunContext, build_tables

CTX = RunContext("2024-05-01", datetime(2024, 5, 1), "rules")
PLATFORMS = {"twitter.com": "twitter", "youtube.com": "youtube", "bit.ly": "shortener"}
PLATFORM_SET = frozenset(PLATFORMS.values()) | {"web"}


def make_page(n: int, *, comments: int = 3, declared: int | None = None) -> PageResult:
    """Page ``p<n>``: a title, a description with a link and a hashtag, ``comments`` comments
    (every third one replies to the one before), one comment link and mentions in each text."""
    items = tuple(
        PageComment(
            k,
            f"Comment {k} from Berlin",
            10 + 2 * k,
            11 + 2 * k,
            author=f"@user{k}",
            parent_index=k - 1 if k % 3 == 2 else None,
            like_count=k,
        )
        for k in range(comments)
    )
    links = (PageLink("https://twitter.com/dwnews", "Twitter", "description", 3),)
    if comments:
        links += (PageLink("bit.ly/x", None, "comment", 10, comment_index=0),)
    page = ParsedPage(
        title=f"Talks in Geneva {n}",
        channel="DW News",
        description="Follow https://twitter.com/dwnews #Iran",
        layout="ordered_list",
        title_line=1,
        hashtags=("Iran",),
        declared_comment_count=comments if declared is None else declared,
        comments=items,
        links=links,
    )
    in_comments = [
        Mention(
            "comment",
            "Berlin",
            "GPE",
            len(c.text) - 6,
            len(c.text),
            "Berlin",
            comment_index=c.index,
        )
        for c in items
    ]
    mentions = (Mention("title", "Geneva", "GPE", 9, 15, "Geneva"), *in_comments)
    return PageResult(PageSource(f"p{n}", f"/landing/p{n}.txt", "a" * 64, 100 + n), page, mentions)


def make_tables(pages: list[PageResult]) -> dict[str, pa.Table]:
    return build_tables(pages, CTX, PLATFORMS)


def replace_column(table: pa.Table, name: str, row: int, value: object) -> pa.Table:
    """A copy of ``table`` with one cell changed (keeps the column's type)."""
    values = table.column(name).to_pylist()
    values[row] = value
    idx = table.column_names.index(name)
    return table.set_column(
        idx, table.schema.field(idx), pa.array(values, table.schema.field(idx).type)
    )


@pytest.fixture
def batch() -> dict[str, pa.Table]:
    """A clean batch of four pages."""
    return make_tables([make_page(n) for n in range(4)])


TableEdit = Callable[[pa.Table], pa.Table]
