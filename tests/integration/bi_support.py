"""A small hand-made warehouse for the BI tests, published through the real publish + catalog code.

The pages, comments, links and mentions are written out here, not parsed, so the BI tests do not
depend on the parser or the entity backends: every expected number in those tests can be checked
by reading ``demo_pages`` below. ``publish_generation`` publishes one run with a ``marker`` in
every table a reader can see, which is what the concurrent-reader test checks snapshots against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pyarrow as pa

from etl.catalog import build_catalog
from etl.contracts import conform, contract
from etl.pipeline import link_platforms, seed_tables
from etl.publish import Manifest, Warehouse, publish_lock, publish_run, write_staged_table
from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage
from etl.transform import PageResult, RunContext, build_tables, quarantine_table


@dataclass(frozen=True, slots=True)
class DemoPage:
    page_id: str
    title: str
    channel: str | None
    comments: tuple[str, ...]
    links: tuple[tuple[str, str | None], ...]
    mentions: tuple[tuple[str, str, str], ...]  # (source, text, label); canonical = text
    reply_to_first: bool = False


def demo_pages(marker: str = "") -> list[DemoPage]:
    """Four pages on two channels plus one without a channel (see the BI tests' expectations).

    A ``marker`` is appended to every title and comment, so a reader can tell publishes apart.
    """
    m = f" {marker}" if marker else ""
    pages = [
        DemoPage(
            "p1_russia_iran",
            f"Russia and Iran{m}",
            "DW News",
            ("Putin and Iran again", "Who is Pezeshkian?", "ok"),
            (
                ("https://www.youtube.com/user/dw", "Subscribe"),
                ("https://twitter.com/dwnews", "Twitter"),
                ("http://www.dw.com/en/", None),
            ),
            (
                ("title", "Russia", "GPE"),
                ("title", "Iran", "GPE"),
                ("description", "Vladimir Putin", "PERSON"),
                ("comment", "Iran", "GPE"),
            ),
            reply_to_first=True,
        ),
        DemoPage(
            "p2_gaza",
            f"Gaza ceasefire talks{m}",
            "DW News",
            ("Peace now", "Where is Qatar in this?"),
            (("https://www.facebook.com/dw", "Facebook"),),
            (
                ("title", "Gaza", "GPE"),
                ("description", "Qatar", "GPE"),
                ("description", "Iran", "GPE"),
                ("description", "DW News", "ORG"),
            ),
        ),
        DemoPage(
            "p3_sahel",
            f"Drought in the Sahel{m}",
            "Al Jazeera English",
            ("Terrible", "We need help for the Sahel region, today and tomorrow"),
            (
                ("https://www.youtube.com/aljazeera", "Subscribe"),
                ("https://www.instagram.com/aljazeera", None),
            ),
            (("title", "Sahel", "LOC"), ("description", "Vladimir Putin", "PERSON")),
        ),
        DemoPage(
            "p4_blog",
            f"A blog post with no channel{m}",
            None,
            (),
            (("https://example.org/post", None),),
            (),
        ),
    ]
    return [replace(p, comments=tuple(c + m for c in p.comments)) for p in pages]


def _result(page: DemoPage) -> PageResult:
    comments = tuple(
        PageComment(
            index=i,
            text=text,
            line_start=10 + 2 * i,
            line_end=10 + 2 * i,
            author=f"user{i}",
            parent_index=0 if page.reply_to_first and i == 1 else None,
        )
        for i, text in enumerate(page.comments)
    )
    links = tuple(
        PageLink(url=url, label=label, source="description", line=3 + i)
        for i, (url, label) in enumerate(page.links)
    )
    parsed = ParsedPage(
        title=page.title,
        channel=page.channel,
        description="A description.",
        layout="ordered_list",
        title_line=1,
        comments=comments,
        links=links,
    )
    mentions = tuple(
        Mention(
            source=source,  # type: ignore[arg-type]
            text=text,
            label=label,
            start_char=k,
            end_char=k + len(text),
            canonical_name=text,
            comment_index=0 if source == "comment" else None,
        )
        for k, (source, text, label) in enumerate(page.mentions)
    )
    source = PageSource(page.page_id, f"pages/{page.page_id}.txt", "ab" * 32, 1000)
    return PageResult(source=source, page=parsed, mentions=mentions)


_DEFAULTS: dict[str, object] = {
    "VARCHAR": "",
    "INTEGER": 0,
    "BIGINT": 0,
    "DOUBLE": 0.0,
    "BOOLEAN": False,
    "VARCHAR[]": [],
}


def _conformed(table: str, rows: list[dict[str, object]], at: datetime) -> pa.Table:
    """Rows completed with neutral values for contract columns the BI tests do not look at.

    The contracts in schemas/ grow while other modules land; the demo rows name only the
    columns the BI views read, so a new column elsewhere does not break these fixtures.
    """
    c = contract(table)
    full = [
        {
            col.name: row.get(
                col.name,
                None if col.nullable else (at if col.type == "TIMESTAMP" else _DEFAULTS[col.type]),
            )
            for col in c.columns
        }
        for row in rows
    ]
    return conform(table, pa.Table.from_pylist(full, schema=c.arrow_schema))


def _runs_table(
    run_id: str, at: datetime, tables: dict[str, pa.Table], orchestrator: str
) -> pa.Table:
    row = {
        "run_id": run_id,
        "logical_date": at,
        "started_at": at,
        "finished_at": at + timedelta(seconds=3),
        "status": "published",
        "entity_backend": "rules",
        "orchestrator": orchestrator,
        "pages_seen": tables["videos"].num_rows + 1,
        "pages_skipped": 0,
        "pages_published": tables["videos"].num_rows,
        "pages_quarantined": 1,
        **{f"{t}_rows": tables[t].num_rows for t in ("videos", "links", "comments", "entities")},
        "validation_seconds": 0.5,
        "total_seconds": 3.0,
        "attempt": 1,
    }
    return _conformed("runs", [row], at)


def _validation_table(run_id: str, at: datetime, *, failed_warning: bool) -> pa.Table:
    rows = [
        {
            "table_name": "videos",
            "expectation": "expect_column_values_to_be_unique(video_id)",
            "severity": "error",
            "success": True,
            "observed_value": "0",
            "unexpected_count": 0,
            "unexpected_sample": None,
            "run_id": run_id,
            "batch_no": None,
        },
        {
            "table_name": "videos",
            "expectation": "expect_column_pair_values_a_to_be_greater_than_b"
            "(declared_comment_count, comment_count)",
            "severity": "warning",
            "success": not failed_warning,
            "observed_value": "1" if failed_warning else "0",
            "unexpected_count": 1 if failed_warning else 0,
            "unexpected_sample": None,
            "run_id": run_id,
            "batch_no": None,
        },
    ]
    return _conformed("validation_results", rows, at)


def publish_generation(
    wh: Warehouse,
    run_id: str,
    at: datetime,
    pages: Sequence[DemoPage],
    *,
    marker: str = "",
    grace: timedelta = timedelta(minutes=10),
) -> Manifest:
    """Publish ``pages`` as run ``run_id`` (replacing that run's previous output) + catalog swap.

    ``marker`` goes into the runs row's orchestrator, so a reader can tell which publish the
    runs view comes from as well as the video titles.
    """
    ctx = RunContext(run_id=run_id, ingested_at=at, entity_backend="rules")
    tables = build_tables([_result(p) for p in pages], ctx, link_platforms())
    quarantine = quarantine_table(
        [
            {
                "page_id": f"bad_{run_id}",
                "source_file": f"pages/bad_{run_id}.txt",
                "content_sha256": None,
                "reason_code": "empty",
                "message": "the file is empty",
                "line_number": None,
                "run_id": run_id,
                "quarantined_at": at,
            }
        ]
    )
    staged = {
        name: [write_staged_table(wh, run_id, name, table)]
        for name, table in {
            **tables,
            "quarantine": quarantine,
            "runs": _runs_table(run_id, at, tables, marker or "test"),
            "validation_results": _validation_table(
                run_id, at, failed_warning=run_id.endswith("2")
            ),
        }.items()
    }
    with publish_lock(wh, wait_seconds=30):
        manifest = publish_run(wh, run_id, staged, seed_tables(), now=at, grace=grace)
        build_catalog(wh, manifest)
    return manifest


def build_demo_warehouse(root: str) -> Warehouse:
    """Two runs: 2024-05-01 publishes pages 1-3, 2024-05-02 publishes page 4 (and run history)."""
    wh = Warehouse.at(root)
    pages = demo_pages()
    publish_generation(wh, "2024-05-01", datetime(2024, 5, 1, 6), pages[:3])
    publish_generation(wh, "2024-05-02", datetime(2024, 5, 2, 6), pages[3:])
    return wh
