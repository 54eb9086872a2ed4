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
from etl.contracts import DATA_TABLES, conform, contract
from etl.records import Mention, PageSource, ParsedPage


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


def _to_table(table_name: str, columns: dict[str, list[Any]]) -> pa.Table:
    schema = contract(table_name).arrow_schema
    table = pa.table(columns, schema=schema)
    key = contract(table_name).primary_key
    return conform(table_name, table.sort_by([(k, "ascending") for k in key]))


def build_tables(
    results: Sequence[PageResult], ctx: RunContext, platforms: Mapping[str, str]
) -> dict[str, pa.Table]:
    """Build the four data tables for a batch of pages (grain: see each schemas/*.yaml)."""
    videos, comments, links, entities = (_columns(t) for t in DATA_TABLES)
    for result in results:
        src, page = result.source, result.page
        vid = ids.video_id(src.page_id)
        comment_ids = [ids.comment_id(vid, c.index + 1) for c in page.comments]

        _append(
            videos,
            video_id=vid,
            page_id=src.page_id,
            source_file=src.source_file,
            title=page.title,
            channel=page.channel,
            description=page.description,
            hashtags=list(page.hashtags),
            layout=page.layout,
            published_text=page.published,
            declared_comment_count=page.declared_comment_count,
            comment_count=len(page.comments),
            link_count=len(page.links),
            title_line=page.title_line,
            content_sha256=src.content_sha256,
            size_bytes=src.size_bytes,
            ingested_at=ctx.ingested_at,
            run_id=ctx.run_id,
        )
        for comment, cid in zip(page.comments, comment_ids, strict=True):
            parent = comment.parent_index
            _append(
                comments,
                comment_id=cid,
                video_id=vid,
                position=comment.index + 1,
                parent_comment_id=None if parent is None else comment_ids[parent],
                author=comment.author,
                text=comment.text,
                posted_text=comment.posted,
                like_count=comment.like_count,
                line_start=comment.line_start,
                line_end=comment.line_end,
                run_id=ctx.run_id,
            )
        for position, link in enumerate(page.links, start=1):
            host = url_host(link.url)
            domain = registered_domain(host) if host else ""
            _append(
                links,
                link_id=ids.link_id(vid, position),
                video_id=vid,
                comment_id=None if link.comment_index is None else comment_ids[link.comment_index],
                position=position,
                source=link.source,
                url=link.url,
                label=link.label,
                host=host,
                domain=domain,
                platform=platform_for(domain, platforms),
                line_number=link.line,
                run_id=ctx.run_id,
            )
        for mention in result.mentions:
            in_comment = mention.comment_index
            mention_comment = None if in_comment is None else comment_ids[in_comment]
            _append(
                entities,
                mention_id=ids.mention_id(
                    vid,
                    mention.source,
                    mention_comment,
                    mention.start_char,
                    mention.end_char,
                    mention.label,
                ),
                video_id=vid,
                comment_id=mention_comment,
                source=mention.source,
                text=mention.text,
                label=mention.label,
                canonical_name=mention.canonical_name,
                start_char=mention.start_char,
                end_char=mention.end_char,
                backend=ctx.entity_backend,
                run_id=ctx.run_id,
            )
    return {
        "videos": _to_table("videos", videos),
        "comments": _to_table("comments", comments),
        "links": _to_table("links", links),
        "entities": _to_table("entities", entities),
    }


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
