"""Parsed pages + entity mentions -> normalized Arrow tables (videos, comments, links, entities).

Pure: the run id, the logical timestamp and the platform map come in as arguments. Every table is
conformed to its contract in schemas/ and sorted by its key, so re-runs write identical bytes.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import tldextract

from etl import ids
from etl.contracts import conform, contract
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


def _to_table(
    table_name: str, columns: Mapping[str, pa.Array | Sequence[Any]], *, sort: bool = True
) -> pa.Table:
    """The table of ``columns`` (Arrow arrays or Python values) with its contract's schema.

    A column missing from the contract or not filled is an error here, once per table.
    """
    schema = contract(table_name).arrow_schema
    if columns.keys() != set(schema.names):
        missing = sorted(set(schema.names) - columns.keys())
        extra = sorted(columns.keys() - set(schema.names))
        raise KeyError(
            f"{table_name}: columns do not match contract: missing {missing}, unexpected {extra}"
        )
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise KeyError(f"{table_name}: columns of unequal length (a column not filled): {lengths}")
    table = pa.Table.from_arrays([_array(columns[f.name], f.type) for f in schema], schema=schema)
    return _sorted(table_name, table) if sort else table


def _array(values: pa.Array | Sequence[Any], type_: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values if values.type == type_ else values.cast(type_)
    return pa.array(values, type_)


def _sorted(table_name: str, table: pa.Table) -> pa.Table:
    """``table`` in primary-key order, conformed to its contract: the order of staged rows."""
    key = contract(table_name).primary_key
    order = _fixed_width_order(table.column(key[0])) if len(key) == 1 else None
    if order is None:
        return conform(table_name, table.sort_by([(k, "ascending") for k in key]))
    return conform(table_name, table.take(order))


# Ties on the 8-byte window beyond which _fixed_width_order leaves the sort to Arrow (a column
# of ids has ~2 in 100,000 rows; a column of repeated values would need a Python sort of each).
_MAX_WINDOW_TIES = 64


def _fixed_width_order(column: pa.ChunkedArray) -> npt.NDArray[np.intp] | None:
    """The stable ascending order of a string column whose values all have one byte width (as
    every id does), exactly as Arrow's ``sort_indices`` gives it; None for any other column.

    Arrow compares the strings byte by byte (~200 ns a row for a batch of mention ids). Values of
    one width order as their first 8 bytes after the prefix all rows share, read as big-endian
    integers, which numpy sorts ~3x faster; the rows whose 8 bytes tie are then put in the order
    of their whole values, then of their rows, so equal values keep their row order as well.
    """
    if not pa.types.is_string(column.type) or column.null_count or len(column) < 2:
        return None
    values = column.combine_chunks()
    rows = len(values)
    offsets = np.frombuffer(
        values.buffers()[1], dtype=np.int32, count=rows + 1, offset=values.offset * 4
    )
    width = int(offsets[1] - offsets[0])
    if width == 0 or not np.all(np.diff(offsets) == width):
        return None
    data = np.frombuffer(
        values.buffers()[2], dtype=np.uint8, count=rows * width, offset=int(offsets[0])
    ).reshape(rows, width)
    shared = 0  # bytes every value starts with (the id prefix): they decide nothing
    while shared < width and np.all(data[:, shared] == data[0, shared]):
        shared += 1
    if shared == width:
        return np.arange(rows)
    window = data[:, shared : shared + 8]
    if window.shape[1] < 8:
        window = np.pad(window, ((0, 0), (0, 8 - window.shape[1])))
    words = np.ascontiguousarray(window).view(">u8").ravel().astype(np.uint64)
    order = np.argsort(words)
    ranked = words[order]
    tied = np.flatnonzero(ranked[1:] == ranked[:-1])
    if tied.size > _MAX_WINDOW_TIES:
        return None
    for first, last in _runs(tied.tolist()):
        # argsort is not stable: row order first, then the stable sort by the whole value.
        run = sorted(order[first : last + 1].tolist())
        order[first : last + 1] = sorted(run, key=lambda row: data[row].tobytes())
    return order


def _runs(tied: list[int]) -> list[tuple[int, int]]:
    """``(first, last)`` positions of each run of equal neighbours, from the positions ``i``
    whose value equals the one at ``i + 1``."""
    runs: list[tuple[int, int]] = []
    for i in tied:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


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

    Built a column at a time over all the pages' rows at once: record fields are gathered by C
    loops (``attrgetter``, Arrow's struct conversion), and ids, repeated values and references
    between rows are computed on whole Arrow/numpy arrays; per-row Python work (a dict, a tuple
    or an id loop per comment or mention) cost more than parsing did. ``sort=False`` leaves rows
    in page order for ``combine_tables`` to sort once per batch.
    """
    pages = [r.page for r in results]
    sources = _fields([r.source for r in results], _SOURCE_FIELDS)
    video_ids = ids.make_ids("v", pa.array(sources["page_id"], pa.string()))
    page_ids = sources["page_id"]
    comments = _Children.of([p.comments for p in pages], page_ids)
    links = _Children.of([p.links for p in pages], page_ids)
    mentions = _Children.of([r.mentions for r in results], page_ids)

    page_fields = _fields(pages, _PAGE_FIELDS)
    videos = {
        "video_id": video_ids,
        "page_id": sources["page_id"],
        "source_file": sources["source_file"],
        "title": page_fields["title"],
        "channel": page_fields["channel"],
        "description": page_fields["description"],
        "hashtags": page_fields["hashtags"],
        "layout": page_fields["layout"],
        "published_text": page_fields["published"],
        "declared_comment_count": page_fields["declared_comment_count"],
        "comment_count": comments.counts,
        "link_count": links.counts,
        "title_line": page_fields["title_line"],
        "content_sha256": sources["content_sha256"],
        "size_bytes": sources["size_bytes"],
        "ingested_at": _repeat(ctx.ingested_at, pa.timestamp("us"), len(pages)),
        "run_id": _repeat(ctx.run_id, pa.string(), len(pages)),
    }

    c = _fields(comments.rows, _COMMENT_FIELDS)
    positions = comments.positions()
    misplaced = np.flatnonzero(np.asarray(c["index"], dtype=np.int64) != positions)
    if misplaced.size:
        page_id = page_ids[comments.page[misplaced[0]]]
        raise ValueError(f"{page_id}: comment indexes are not 0..n-1 in page order")
    comment_videos = comments.pages(video_ids)
    comment_positions = pa.array(positions + 1)
    comment_ids = ids.make_ids("c", comment_videos, comment_positions)
    comment_table = {
        "comment_id": comment_ids,
        "video_id": comment_videos.dictionary_decode(),
        "position": comment_positions,
        "parent_comment_id": comments.refer(
            comment_ids, c["parent_index"], comments
        ).dictionary_decode(),
        "author": c["author"],
        "text": c["text"],
        "posted_text": c["posted"],
        "like_count": c["like_count"],
        "line_start": c["line_start"],
        "line_end": c["line_end"],
        "run_id": _repeat(ctx.run_id, pa.string(), len(comments.rows)),
    }

    k = _fields(links.rows, _LINK_FIELDS)
    link_videos = links.pages(video_ids)
    link_positions = pa.array(links.positions() + 1)
    hosts = [url_host(url) for url in k["url"]]
    domains = [registered_domain(h) if h else "" for h in hosts]
    link_table = {
        "link_id": ids.make_ids("l", link_videos, link_positions),
        "video_id": link_videos.dictionary_decode(),
        "position": link_positions,
        "comment_id": links.refer(comment_ids, k["comment_index"], comments).dictionary_decode(),
        "source": k["source"],
        "url": k["url"],
        "label": k["label"],
        "host": hosts,
        "domain": domains,
        "platform": [platform_for(d, platforms) for d in domains],
        "line_number": k["line"],
        "run_id": _repeat(ctx.run_id, pa.string(), len(links.rows)),
    }

    # Mentions are NamedTuples: Arrow reads each as a struct row in C, ~40% faster than
    # gathering their fields into lists first.
    struct = pa.array(mentions.rows, _mention_struct())
    m = dict(zip(Mention._fields, struct.flatten(), strict=True))
    mention_videos = mentions.pages(video_ids)
    mention_comments = mentions.refer(comment_ids, m["comment_index"], comments)
    sources_, labels = m["source"], m["label"]
    starts, ends = m["start_char"], m["end_char"]
    entity_table = {
        "mention_id": ids.make_ids(
            "m", mention_videos, sources_, mention_comments, starts, ends, labels
        ),
        "video_id": mention_videos.dictionary_decode(),
        "comment_id": mention_comments.dictionary_decode(),
        "source": sources_,
        "text": m["text"],
        "label": labels,
        "canonical_name": m["canonical_name"],
        "start_char": starts,
        "end_char": ends,
        "backend": _repeat(ctx.entity_backend, pa.string(), len(mentions.rows)),
        "run_id": _repeat(ctx.run_id, pa.string(), len(mentions.rows)),
    }

    return {
        "videos": _to_table("videos", videos, sort=sort),
        "comments": _to_table("comments", comment_table, sort=sort),
        "links": _to_table("links", link_table, sort=sort),
        "entities": _to_table("entities", entity_table, sort=sort),
    }


_SOURCE_FIELDS = ("page_id", "source_file", "content_sha256", "size_bytes")
_PAGE_FIELDS = (
    "title",
    "channel",
    "description",
    "hashtags",
    "layout",
    "published",
    "declared_comment_count",
    "title_line",
)
_COMMENT_FIELDS = (
    "index",
    "text",
    "line_start",
    "line_end",
    "author",
    "parent_index",
    "posted",
    "like_count",
)
_LINK_FIELDS = ("url", "label", "source", "line", "comment_index")


@functools.cache
def _mention_struct() -> pa.StructType:
    """A Mention as an Arrow struct: its fields in order, typed as the entities contract types
    the columns they become (``comment_index``, which becomes a comment id, as int64)."""
    entities = {c.name: c.arrow_type for c in contract("entities").columns}
    return pa.struct([(name, entities.get(name, pa.int64())) for name in Mention._fields])


def _fields(records: Sequence[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The attributes ``names`` of ``records`` as columns, one list per name.

    ``map(attrgetter)`` runs in C and allocates nothing per row; transposing per-row tuples
    (``zip(*map(attrgetter(*names), ...))``) allocated a tuple a row, and the garbage
    collections those set off, each walking every live record, made it several times slower.
    """
    return {name: list(map(attrgetter(name), records)) for name in names}


def _repeat(value: Any, type_: pa.DataType, count: int) -> pa.Array:
    """A column with one value in every row (the run id, the backend)."""
    return pa.repeat(pa.array([value], type_)[0], count)


@dataclass(frozen=True, slots=True)
class _Children:
    """The rows every page has a list of (comments, links or mentions), flattened in page order.

    ``page`` is each row's page (an index into the batch), ``first`` each page's first row and
    ``counts`` each page's number of rows, so a row's place within its page and a reference to
    a sibling row (``comment_index``) become array arithmetic over all pages at once.
    ``page_ids`` name the pages in errors.
    """

    rows: list[Any]
    page: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    page_ids: Sequence[str]

    @classmethod
    def of(cls, groups: Sequence[Sequence[Any]], page_ids: Sequence[str]) -> _Children:
        counts = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        first = np.cumsum(counts) - counts
        page = np.repeat(np.arange(len(groups), dtype=np.int64), counts)
        return cls(list(itertools.chain.from_iterable(groups)), page, first, counts, page_ids)

    def positions(self) -> npt.NDArray[np.int64]:
        """Each row's 0-based place within its page."""
        return np.arange(len(self.rows), dtype=np.int64) - self.first[self.page]

    def pages(self, values: pa.Array) -> pa.DictionaryArray:
        """Each row's value of ``values`` (one per page), as a dictionary array: a page's
        video id repeated on each of its rows, without copying it per row."""
        return pa.DictionaryArray.from_arrays(pa.array(self.page), values)

    def refer(
        self, targets: pa.Array, indexes: pa.Array | Sequence[int | None], within: _Children
    ) -> pa.DictionaryArray:
        """``targets[i]`` for each row's 0-based index ``i`` (None: null) into its own page's
        rows of ``within``, whose rows ``targets`` has one value each, as a dictionary array;
        an index outside the page is an error, not a wrap to another page's row."""
        local = pa.array(indexes, pa.int64()) if isinstance(indexes, Sequence) else indexes
        page_counts = within.counts[self.page]
        outside = pc.or_(pc.less(local, 0), pc.greater_equal(local, pa.array(page_counts)))
        if pc.any(outside).as_py():
            row = pc.index(outside, True).as_py()
            raise ValueError(
                f"{self.page_ids[self.page[row]]}: index {local[row]} refers outside the page's "
                f"{page_counts[row]} rows"
            )
        rows = pc.add(local, pa.array(within.first[self.page]))
        return pa.DictionaryArray.from_arrays(rows, targets)


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
