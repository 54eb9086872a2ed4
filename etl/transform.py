"""Parsed pages + entity mentions -> normalized Arrow tables (videos, comments, links, entities).

Pure: the run id, the logical timestamp and the platform map come in as arguments. Every table is
conformed to its contract in schemas/ and sorted by its key, so re-runs write identical bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import tldextract

from etl import ids
from etl.contracts import conform, contract
from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage


@dataclass(frozen=True, slots=True)
class PageResult:
    """One successfully parsed page and its entity mentions."""

    source: PageSource
    page: ParsedPage
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a run stamps on every row it writes."""

    run_id: str
    ingested_at: datetime
    entity_backend: str


@functools.cache
def _domain_extractor() -> tldextract.TLDExtract:
    # The public-suffix snapshot bundled with tldextract: no network access at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=65536)
def url_host(url: str) -> str:
    """Lower-cased host of a URL written with or without a scheme (``bit.ly/x`` -> ``bit.ly``)."""
    candidate = url if "://" in url[:12] else "http://" + url
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        host = ""
    return host.rstrip(".")


@functools.lru_cache(maxsize=65536)
def registered_domain(host: str) -> str:
    """Registered domain of ``host`` (``www.bbc.co.uk`` -> ``bbc.co.uk``); the host if none."""
    result = _domain_extractor()(host)
    return result.top_domain_under_public_suffix or host


def platform_for(domain: str, platforms: Mapping[str, str]) -> str:
    """Platform of a registered domain from the link_platforms seed, or ``web``."""
    return platforms.get(domain, "web")


def _columns(table_name: str) -> dict[str, list[Any]]:
    return {name: [] for name in contract(table_name).column_names}


def _to_table(table_name: str, columns: dict[str, list[Any]], *, sort: bool = True) -> pa.Table:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise KeyError(f"{table_name}: columns of unequal length (a column not filled): {lengths}")
    table = pa.table(columns, schema=contract(table_name).arrow_schema)
    return _sorted(table_name, table) if sort else table


def _sorted(table_name: str, table: pa.Table) -> pa.Table:
    """``table`` in primary-key order, conformed to its contract: the order of staged rows."""
    key = contract(table_name).primary_key
    return conform(table_name, table.sort_by([(k, "ascending") for k in key]))


def combine_tables(parts: Sequence[Mapping[str, pa.Table]]) -> dict[str, pa.Table]:
    """One batch's tables from the tables of its sub-batches (``build_tables(..., sort=False)``),
    sorted once: the same rows in the same order as ``build_tables`` over all the pages."""
    if not parts:
        raise ValueError("combine_tables needs at least one part")
    return {
        name: _sorted(name, pa.concat_tables([part[name] for part in parts])) for name in parts[0]
    }


def build_tables(
    results: Sequence[PageResult],
    ctx: RunContext,
    platforms: Mapping[str, str],
    *,
    sort: bool = True,
) -> dict[str, pa.Table]:
    """Build the four data tables for a batch of pages (grain: see each schemas/*.yaml).

    Built column by column (one list per column, filled in one pass over the pages): a row dict
    per comment or mention cost more than parsing did. ``_to_table`` checks each table's columns
    against its contract once, so a missing or extra column is still an error. ``sort=False``
    leaves rows in page order for ``combine_tables`` to sort once per batch.
    """
    videos = _columns("videos")
    comments = _columns("comments")
    links = _columns("links")
    entities = _columns("entities")
    # Per-row values gathered flat, turned into columns after the loop.
    comment_records: list[PageComment] = []
    link_records: list[PageLink] = []
    mention_records: list[Mention] = []
    for result in results:
        src, page = result.source, result.page
        vid = ids.video_id(src.page_id)
        if any(c.index != k for k, c in enumerate(page.comments)):
            raise ValueError(f"{src.page_id}: comment indexes are not 0..n-1 in page order")
        comment_ids = ids.comment_ids(vid, len(page.comments))

        videos["video_id"].append(vid)
        videos["page_id"].append(src.page_id)
        videos["source_file"].append(src.source_file)
        videos["title"].append(page.title)
        videos["channel"].append(page.channel)
        videos["description"].append(page.description)
        videos["hashtags"].append(list(page.hashtags))
        videos["layout"].append(page.layout)
        videos["published_text"].append(page.published)
        videos["declared_comment_count"].append(page.declared_comment_count)
        videos["comment_count"].append(len(page.comments))
        videos["link_count"].append(len(page.links))
        videos["title_line"].append(page.title_line)
        videos["content_sha256"].append(src.content_sha256)
        videos["size_bytes"].append(src.size_bytes)

        comment_records += page.comments
        comments["comment_id"] += comment_ids
        comments["video_id"] += [vid] * len(comment_ids)
        comments["parent_comment_id"] += [
            None if c.parent_index is None else comment_ids[c.parent_index] for c in page.comments
        ]

        link_records += page.links
        links["video_id"] += [vid] * len(page.links)
        links["link_id"] += ids.link_ids(vid, len(page.links))
        links["position"] += range(1, len(page.links) + 1)
        links["comment_id"] += [
            None if k.comment_index is None else comment_ids[k.comment_index] for k in page.links
        ]

        mention_records += result.mentions
        mention_cids = [
            None if m.comment_index is None else comment_ids[m.comment_index]
            for m in result.mentions
        ]
        entities["comment_id"] += mention_cids
        entities["video_id"] += [vid] * len(mention_cids)
        entities["mention_id"] += ids.mention_ids(
            vid,
            (
                (m.source, cid, m.start_char, m.end_char, m.label)
                for m, cid in zip(result.mentions, mention_cids, strict=True)
            ),
        )

    _fill_constant(videos, ingested_at=ctx.ingested_at, run_id=ctx.run_id)

    comments["position"] = [c.index + 1 for c in comment_records]
    comments["author"] = [c.author for c in comment_records]
    comments["text"] = [c.text for c in comment_records]
    comments["posted_text"] = [c.posted for c in comment_records]
    comments["like_count"] = [c.like_count for c in comment_records]
    comments["line_start"] = [c.line_start for c in comment_records]
    comments["line_end"] = [c.line_end for c in comment_records]
    _fill_constant(comments, run_id=ctx.run_id)

    hosts = [url_host(k.url) for k in link_records]
    domains = [registered_domain(h) if h else "" for h in hosts]
    links["source"] = [k.source for k in link_records]
    links["url"] = [k.url for k in link_records]
    links["label"] = [k.label for k in link_records]
    links["host"] = hosts
    links["domain"] = domains
    links["platform"] = [platform_for(d, platforms) for d in domains]
    links["line_number"] = [k.line for k in link_records]
    _fill_constant(links, run_id=ctx.run_id)

    entities["source"] = [m.source for m in mention_records]
    entities["text"] = [m.text for m in mention_records]
    entities["label"] = [m.label for m in mention_records]
    entities["canonical_name"] = [m.canonical_name for m in mention_records]
    entities["start_char"] = [m.start_char for m in mention_records]
    entities["end_char"] = [m.end_char for m in mention_records]
    _fill_constant(entities, backend=ctx.entity_backend, run_id=ctx.run_id)

    return {
        "videos": _to_table("videos", videos, sort=sort),
        "comments": _to_table("comments", comments, sort=sort),
        "links": _to_table("links", links, sort=sort),
        "entities": _to_table("entities", entities, sort=sort),
    }


def _fill_constant(columns: dict[str, list[Any]], **values: Any) -> None:
    """Columns with one value for every row of the table (the run id, the backend)."""
    rows = len(next(iter(columns.values())))
    for name, value in values.items():
        if name not in columns:
            raise KeyError(f"column {name!r} is not in the contract")
        columns[name] = [value] * rows


def _append(columns: dict[str, list[Any]], **row: Any) -> None:
    """Append one row; a key missing from the contract (or a contract column not given) is a bug."""
    if row.keys() != columns.keys():
        missing = sorted(columns.keys() - row.keys())
        extra = sorted(row.keys() - columns.keys())
        raise KeyError(f"row does not match contract: missing {missing}, unexpected {extra}")
    for name, value in row.items():
        columns[name].append(value)


def quarantine_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The quarantine rows of a batch as a contract-conformed table."""
    columns = _columns("quarantine")
    for row in rows:
        _append(columns, **row)
    return _to_table("quarantine", columns)
