"""The warehouse dashboard: one self-contained HTML file, charts pre-rendered as inline SVG.

``write_report`` queries the analyst views on a locked-down read-only connection and writes
``<warehouse>/report/index.html``. Nothing is loaded from the network (no CDN, no fonts, no
images): the page opens offline from the file system. The only script is a few inline lines that
check the charts drew and mark the page (``data-charts-drawn``), which the browser test reads.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import duckdb

from etl.catalog import connect_readonly
from etl.storage import WarehouseLayout

log = logging.getLogger(__name__)

# Colour-blind-safe palette (Okabe-Ito, without the yellow that vanishes on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#888888")
MAX_BARS = 12
ENTITY_PANELS = 6
ENTITIES_PER_PANEL = 8


@dataclass(frozen=True, slots=True)
class Headline:
    """One number at the top of the dashboard."""

    label: str
    value: int | str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the dashboard shows, read from the catalog in one go."""

    warehouse: str
    generated_at: str
    generation: int | None
    published_at: str | None
    headlines: tuple[Headline, ...]
    comments_per_channel: tuple[tuple[str, float], ...]
    entities_by_label: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    link_platforms: tuple[tuple[str, float], ...]
    quarantine_reasons: tuple[tuple[str, float], ...]
    quarantine_examples: tuple[tuple[str, int, str], ...]
    runs: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    top_videos: tuple[dict[str, Any], ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------
# Reading


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return None if row is None else row[0]


def collect(con: duckdb.DuckDBPyConnection, warehouse: str, now: datetime) -> ReportData:
    """Read the dashboard's numbers from the analyst views of the catalog behind ``con``."""
    meta = con.execute("SELECT generation, published_at FROM _catalog_meta").fetchone()
    runs = [
        dict(
            zip(
                (
                    "run_id",
                    "status",
                    "attempt",
                    "pages_published",
                    "pages_quarantined",
                    "checks",
                    "failed_errors",
                    "failed_warnings",
                    "validation_status",
                    "finished_at",
                    "total_seconds",
                ),
                r,
                strict=True,
            )
        )
        for r in _rows(
            con,
            """SELECT r.run_id, r.status, r.attempt, r.pages_published, r.pages_quarantined,
                      s.checks, s.failed_errors, s.failed_warnings, s.validation_status,
                      r.finished_at, r.total_seconds
               FROM runs r JOIN validation_summary s USING (run_id)
               ORDER BY r.finished_at DESC, r.run_id DESC LIMIT 30""",
        )
    ]
    latest = runs[0] if runs else None
    headlines = (
        Headline("videos", _scalar(con, "SELECT count(*) FROM videos")),
        Headline("comments", _scalar(con, "SELECT count(*) FROM comments")),
        Headline("links", _scalar(con, "SELECT count(*) FROM links")),
        Headline("entity mentions", _scalar(con, "SELECT count(*) FROM entities")),
        Headline("channels", _scalar(con, "SELECT count(DISTINCT channel) FROM videos")),
        Headline("quarantined pages", _scalar(con, "SELECT count(*) FROM quarantine")),
        Headline("runs", _scalar(con, "SELECT count(*) FROM runs")),
        Headline(
            "latest validation",
            latest["validation_status"] if latest else "no runs",
            f"run {latest['run_id']}" if latest else "",
        ),
    )
    # One pass over entity_summary (it aggregates every mention): the top names of each label,
    # labels ordered by their total mentions.
    ranked = _rows(
        con,
        f"""SELECT label, canonical_name, mentions FROM (
                SELECT label, canonical_name, mentions,
                       row_number() OVER (PARTITION BY label
                                          ORDER BY mentions DESC, canonical_name) AS rank,
                       sum(mentions) OVER (PARTITION BY label) AS label_total
                FROM entity_summary)
            WHERE rank <= {ENTITIES_PER_PANEL}
            ORDER BY label_total DESC, label, rank""",
    )
    panels: dict[str, list[tuple[str, float]]] = {}
    for label, name, mentions in ranked:
        panels.setdefault(str(label), []).append((str(name), float(mentions)))
    entity_panels = [(label, tuple(items)) for label, items in panels.items()][:ENTITY_PANELS]
    return ReportData(
        warehouse=warehouse,
        generated_at=now.strftime("%Y-%m-%d %H:%M UTC"),
        generation=None if meta is None else int(meta[0]),
        published_at=None if meta is None or meta[1] is None else str(meta[1]),
        headlines=headlines,
        comments_per_channel=_pairs(
            con,
            f"""SELECT channel, comments FROM channel_summary
                ORDER BY comments DESC, channel LIMIT {MAX_BARS}""",
        ),
        entities_by_label=tuple(entity_panels),
        link_platforms=_pairs(
            con,
            f"""SELECT platform, links FROM link_platform_summary
                ORDER BY links DESC, platform LIMIT {MAX_BARS}""",
        ),
        quarantine_reasons=_pairs(
            con,
            "SELECT reason_code, pages FROM quarantine_summary ORDER BY pages DESC, reason_code",
        ),
        quarantine_examples=tuple(
            (str(r), int(p), str(m))
            for r, p, m in _rows(
                con,
                """SELECT reason_code, pages, latest_message FROM quarantine_summary
                   ORDER BY pages DESC, reason_code""",
            )
        ),
        runs=tuple(runs),
        top_videos=tuple(
            dict(
                zip(
                    ("title", "channel", "comments", "links", "platforms", "entities"),
                    r,
                    strict=True,
                )
            )
            for r in _rows(
                con,
                f"""SELECT title, channel, comment_count, link_count, link_platforms, top_entities
                    FROM video_overview ORDER BY comment_count DESC, title LIMIT {MAX_BARS}""",
            )
        ),
    )


def _pairs(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[tuple[str, float], ...]:
    return tuple((str(k), float(v or 0)) for k, v in _rows(con, sql))


# ---------------------------------------------------------------------------------------------
# Rendering (pure)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str, color: str = PALETTE[0], width: int = 460
) -> str:
    """A horizontal bar chart as inline SVG; an empty list renders a 'no data' note instead."""
    if not items:
        return f'<p class="empty">No {_esc(title.lower())} yet.</p>'
    label_w, value_w, row_h, pad = min(150, int(width * 0.36)), 48, 24, 6
    bar_space = width - label_w - value_w
    top = max(v for _, v in items) or 1.0
    height = len(items) * row_h + pad
    parts = [
        f'<svg class="chart" role="img" aria-label="{_esc(title)}" viewBox="0 0 {width} {height}"'
        f' width="{width}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_esc(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = pad + i * row_h
        bar_w = max(2.0, bar_space * value / top) if value > 0 else 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 1}" class="lbl" text-anchor="end" '
            f'dominant-baseline="middle">{_esc(_truncate(label, 22))}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="{row_h - 8}"'
            f' rx="3" fill="{color}"><title>{_esc(label)}: {_fmt(value)}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + row_h / 2 + 1}" class="val" '
            f'dominant-baseline="middle">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def runs_chart(runs: Sequence[dict[str, Any]], width: int = 460) -> str:
    """Stacked columns of pages published / quarantined per run, oldest run on the left."""
    if not runs:
        return '<p class="empty">No runs yet.</p>'
    ordered = list(reversed(runs))
    height, base, left = 190, 150, 44
    top = max((r["pages_published"] or 0) + (r["pages_quarantined"] or 0) for r in ordered) or 1
    slot = (width - left) / len(ordered)
    bar_w = max(4.0, min(48.0, slot * 0.6))
    parts = [
        f'<svg class="chart" role="img" aria-label="Pages per run" viewBox="0 0 {width} {height}"'
        f' width="{width}" preserveAspectRatio="xMinYMin meet"><title>Pages per run</title>',
        f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" class="axis"/>',
        f'<text x="{left - 6}" y="{base - 120}" class="val" text-anchor="end">{top:,}</text>',
        f'<text x="{left - 6}" y="{base}" class="val" text-anchor="end">0</text>',
    ]
    for i, run in enumerate(ordered):
        x = left + i * slot + (slot - bar_w) / 2
        published, quarantined = run["pages_published"] or 0, run["pages_quarantined"] or 0
        h_pub = 120 * published / top
        h_q = 120 * quarantined / top
        tip = f"{run['run_id']}: {published:,} published, {quarantined:,} quarantined"
        parts.append(
            f"<g><title>{_esc(tip)}</title>"
            f'<rect class="bar" x="{x:.1f}" y="{base - h_pub:.1f}" width="{bar_w:.1f}" '
            f'height="{h_pub:.1f}" fill="{PALETTE[2]}"/>'
            f'<rect class="bar" x="{x:.1f}" y="{base - h_pub - h_q:.1f}" width="{bar_w:.1f}" '
            f'height="{h_q:.1f}" fill="{PALETTE[5]}"/></g>'
        )
        if len(ordered) <= 12 or i % max(1, len(ordered) // 10) == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base + 16}" class="val" text-anchor="middle">'
                f"{_esc(_truncate(str(run['run_id']), 12))}</text>"
            )
    parts.append(
        f'<rect x="{left}" y="{height - 14}" width="10" height="10" fill="{PALETTE[2]}"/>'
        f'<text x="{left + 14}" y="{height - 5}" class="val">published</text>'
        f'<rect x="{left + 90}" y="{height - 14}" width="10" height="10" fill="{PALETTE[5]}"/>'
        f'<text x="{left + 104}" y="{height - 5}" class="val">quarantined</text></svg>'
    )
    return "".join(parts)


_STATUS_CLASS = {
    "passed": "ok",
    "published": "ok",
    "warnings": "warn",
    "nothing_to_do": "muted",
    "not validated": "muted",
    "failed": "bad",
    "validation_failed": "bad",
}


def _badge(text: object) -> str:
    return f'<span class="badge {_STATUS_CLASS.get(str(text), "muted")}">{_esc(text)}</span>'


def _runs_table(runs: Sequence[dict[str, Any]]) -> str:
    if not runs:
        return ""
    head = (
        "<tr><th>run</th><th>status</th><th>attempt</th><th class=num>published</th>"
        "<th class=num>quarantined</th><th class=num>checks</th><th class=num>failed errors</th>"
        "<th class=num>failed warnings</th><th>validation</th><th>finished (UTC)</th>"
        "<th class=num>seconds</th></tr>"
    )
    body = "".join(
        f"<tr><td>{_esc(r['run_id'])}</td><td>{_badge(r['status'])}</td>"
        f"<td class=num>{_esc(r['attempt'])}</td>"
        f"<td class=num>{r['pages_published']:,}</td><td class=num>{r['pages_quarantined']:,}</td>"
        f"<td class=num>{r['checks']:,}</td><td class=num>{r['failed_errors']:,}</td>"
        f"<td class=num>{r['failed_warnings']:,}</td><td>{_badge(r['validation_status'])}"
        + (f' <a href="{_esc(r["docs_href"])}">data docs</a>' if r.get("docs_href") else "")
        + "</td>"
        f"<td>{_esc(str(r['finished_at'])[:19])}</td>"
        f"<td class=num>{float(r['total_seconds'] or 0):.1f}</td></tr>"
        for r in runs
    )
    return f"<table>{head}{body}</table>"


def _videos_table(videos: Sequence[dict[str, Any]]) -> str:
    if not videos:
        return '<p class="empty">No videos yet.</p>'
    head = (
        "<tr><th>title</th><th>channel</th><th class=num>comments</th><th class=num>links</th>"
        "<th>links to</th><th>top entities</th></tr>"
    )
    body = "".join(
        f"<tr><td>{_esc(_truncate(v['title'], 80))}</td>"
        f"<td>{_esc(v['channel']) if v['channel'] else '<span class=muted>—</span>'}</td>"
        f"<td class=num>{v['comments']:,}</td><td class=num>{v['links']:,}</td>"
        f"<td>{_esc(', '.join(v['platforms']))}</td>"
        f"<td>{_esc(', '.join(v['entities'][:3]))}</td></tr>"
        for v in videos
    )
    return f"<table>{head}{body}</table>"


def _headline_cards(headlines: Sequence[Headline]) -> str:
    cards = []
    for h in headlines:
        value = f"{h.value:,}" if isinstance(h.value, int) else _badge(h.value)
        note = f'<div class="note">{_esc(h.note)}</div>' if h.note else ""
        cards.append(
            f'<div class="card"><div class="num">{value}</div>'
            f'<div class="cap">{_esc(h.label)}</div>{note}</div>'
        )
    return f'<section class="cards">{"".join(cards)}</section>'


_CSS = """
:root{--fg:#1d2330;--muted:#6b7385;--bg:#f4f6fa;--panel:#fff;--line:#e3e7ef}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2b45;color:#fff;padding:22px 32px}header h1{margin:0;font-size:22px;
font-weight:600}header .sub{color:#b9c3d8;margin-top:4px;font-size:13px}
main{padding:22px 32px;max-width:1280px;margin:0 auto}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:12px;
margin-bottom:18px}.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;
padding:14px 16px}.card .num{font-size:26px;font-weight:650;letter-spacing:-.5px}
.card .cap{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.card .note{color:var(--muted);font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;
margin-bottom:16px}.panel{background:var(--panel);border:1px solid var(--line);
border-radius:10px;padding:16px 18px}.panel h2{font-size:15px;margin:0 0 2px;font-weight:600}
.panel .hint{color:var(--muted);font-size:12px;margin:0 0 10px}
.small-multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));
gap:14px 28px}
.small-multiples h3{font-size:12px;margin:4px 0;color:var(--muted);letter-spacing:.4px}
svg.chart{display:block;overflow:visible;max-width:100%;height:auto}
svg .lbl{font-size:12px;fill:#333}
svg .val{font-size:11px;fill:#555}svg .axis{stroke:#ccd2de}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 8px;
border-bottom:1px solid var(--line);text-align:left;vertical-align:top}th{color:var(--muted);
font-weight:600;font-size:12px}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.badge.ok{background:#e3f4ea;color:#16663a}.badge.warn{background:#fdf1dc;color:#8a5a00}
.badge.bad{background:#fbe3e1;color:#a1261b}.badge.muted{background:#eceff4;color:#555}
.card .num .badge{font-size:16px;padding:3px 10px}
.wide{margin-bottom:16px}
.muted{color:var(--muted)}.empty{color:var(--muted);font-style:italic}footer{color:var(--muted);font-size:12px;
padding:0 32px 24px;max-width:1280px;margin:0 auto}code{font-size:12px}
"""

# Marks the page once every chart has bars: the browser test waits for this marker.
_SCRIPT = """
(function(){var charts=document.querySelectorAll('svg.chart');var drawn=0;
charts.forEach(function(svg){var box=svg.getBoundingClientRect();
if(box.width>0&&box.height>0&&svg.querySelectorAll('.bar').length>0){drawn++;}});
document.body.setAttribute('data-charts-total',String(charts.length));
document.body.setAttribute('data-charts-drawn',String(drawn));})();
"""


def _panel(title: str, hint: str, body: str) -> str:
    return (
        f'<section class="panel"><h2>{_esc(title)}</h2><p class="hint">{_esc(hint)}</p>'
        f"{body}</section>"
    )


def render(data: ReportData) -> str:
    """The dashboard as one HTML document (no external resources)."""
    entity_panels = "".join(
        f"<div><h3>{_esc(label)}</h3>"
        + bar_chart(
            items, title=f"Top {label} entities", color=PALETTE[i % len(PALETTE)], width=340
        )
        + "</div>"
        for i, (label, items) in enumerate(data.entities_by_label)
    )
    quarantine_rows = "".join(
        f"<tr><td>{_esc(reason)}</td><td class=num>{pages:,}</td><td>{_esc(message)}</td></tr>"
        for reason, pages, message in data.quarantine_examples
    )
    quarantine_table = (
        "<table><tr><th>reason</th><th class=num>pages</th><th>latest message</th></tr>"
        f"{quarantine_rows}</table>"
        if quarantine_rows
        else ""
    )
    channels = _panel(
        "Comments per channel",
        "Comments and replies extracted from current videos, top channels.",
        bar_chart(data.comments_per_channel, title="Comments per channel", color=PALETTE[0]),
    )
    platforms = _panel(
        "Link platforms",
        "Where the links on current pages point ('web' = any other site).",
        bar_chart(data.link_platforms, title="Links per platform", color=PALETTE[1]),
    )
    entities = _panel(
        "Top entities per label",
        "Most mentioned canonical names in titles, descriptions and comments.",
        f'<div class="small-multiples">{entity_panels}</div>'
        if entity_panels
        else '<p class="empty">No entities yet.</p>',
    )
    quarantine = _panel(
        "Quarantine reasons",
        "Pages whose latest state is quarantined, by reason.",
        bar_chart(data.quarantine_reasons, title="Quarantined pages per reason", color=PALETTE[5])
        + quarantine_table,
    )
    pages_per_run = _panel(
        "Pages per run",
        "Published and quarantined pages of the latest runs.",
        runs_chart(data.runs),
    )
    videos = _panel(
        "Most discussed videos",
        "Current videos by comments extracted (video_overview).",
        _videos_table(data.top_videos),
    )
    history = _panel(
        "Validation status and run history",
        "Latest 30 runs; failed errors block publishing, warnings are recorded.",
        _runs_table(data.runs) or '<p class="empty">No runs yet.</p>',
    )
    published = f" · published {data.published_at[:19]} UTC" if data.published_at else ""
    generation = f"generation {data.generation}" if data.generation is not None else "no catalog"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Video pages warehouse — dashboard</title><style>{_CSS}</style></head>
<body>
<header><h1>Video pages warehouse</h1>
<div class="sub">{_esc(data.warehouse)} · catalog {_esc(generation)}{_esc(published)} · report
generated {_esc(data.generated_at)}</div></header>
<main>
{_headline_cards(data.headlines)}
<div class="grid">{channels}{platforms}</div>
<div class="wide">{videos}</div>
<div class="wide">{entities}</div>
<div class="grid">{quarantine}{pages_per_run}</div>
<div class="wide">{history}</div>
</main>
<footer>Query the same numbers: <code>etl query --file queries/&lt;name&gt;.sql</code> ·
views <code>channel_summary</code>, <code>entity_summary</code>,
<code>link_platform_summary</code>, <code>quarantine_summary</code>,
<code>validation_summary</code>, <code>video_overview</code>.</footer>
<script>{_SCRIPT}</script>
</body></html>
"""


# ---------------------------------------------------------------------------------------------
# Writing


def with_data_docs_links(data: ReportData, root: str) -> ReportData:
    """Link each run to its Great Expectations Data Docs, where the validation wrote them.

    The link is relative (report/ and quality/ are siblings in the warehouse), so it keeps
    working offline and after the warehouse folder is moved.
    """
    runs = []
    for run in data.runs:
        docs = os.path.join(WarehouseLayout(root).docs_dir, str(run["run_id"]), "index.html")
        href = f"../quality/data_docs/{run['run_id']}/index.html" if os.path.exists(docs) else None
        runs.append({**run, "docs_href": href})
    return replace(data, runs=tuple(runs))


def write_report(warehouse_dir: str, *, now: datetime | None = None) -> str:
    """Write ``<warehouse>/report/index.html`` from the catalog; returns its path.

    Written aside and renamed, so a browser reloading the page never sees half a file.
    """
    root = os.path.abspath(warehouse_dir)
    con = connect_readonly(root)
    try:
        data = collect(con, root, now or datetime.now(UTC))
    finally:
        con.close()
    data = with_data_docs_links(data, root)
    out_dir = WarehouseLayout(root).report_dir
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "index.html")
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(render(data))
    os.replace(tmp, path)
    log.info("report written: %s (%d runs)", path, len(data.runs))
    return path
