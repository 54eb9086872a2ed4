"""The ``etl`` command: run the pipeline, query the warehouse, inspect a page, and more.

Exit codes: 0 done (even with quarantined pages), 1 validation blocked publishing, 2 usage error
(bad path, option or SQL), 3 the warehouse is busy with another run, 4 publishing failed (disk
full, permission denied; the previous warehouse is intact), 70 internal error (a bug).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from etl import __version__
from etl.config import DEFAULT_BATCH_SIZE
from etl.errors import EtlError, PublishError, UsageError, WarehouseBusy

EXIT_OK, EXIT_VALIDATION, EXIT_USAGE, EXIT_BUSY, EXIT_PUBLISH, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70

_QUIET_LOGGERS = ("great_expectations", "py.warnings", "fsspec", "filelock", "urllib3", "spacy")


def _parse_logical_date(text: str) -> date | datetime:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD) or ISO timestamp: {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etl",
        description="Turn scraped video pages into a validated Parquet + DuckDB warehouse.",
        epilog="Environment: ETL_INPUT, ETL_WAREHOUSE, ETL_ENTITIES, ETL_BATCH_SIZE, ETL_WORKERS, "
        "ETL_MAX_PAGE_BYTES set the defaults of the options below (the Airflow DAG reads them "
        "too).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    wh_help = "warehouse directory (default: $ETL_WAREHOUSE or ./warehouse of the project)"

    run = sub.add_parser(
        "run",
        help="extract, transform, validate and publish every page of the input",
        description="Run the whole pipeline for one partition (logical date) and print a summary.",
    )
    run.add_argument(
        "--input", help="page folder, glob or fsspec URL (default: $ETL_INPUT or seeds/pages)"
    )
    run.add_argument("--warehouse", help=wh_help)
    run.add_argument(
        "--logical-date",
        type=_parse_logical_date,
        help="partition date YYYY-MM-DD or ISO timestamp (default: today, UTC); re-running "
        "a date replaces that date's output",
    )
    run.add_argument("--run-id", help="explicit partition key instead of the logical date")
    run.add_argument(
        "--entities",
        choices=("spacy", "rules"),
        help="entity backend (default: $ETL_ENTITIES or spacy; falls back to rules with a "
        "warning when the spaCy model is not installed)",
    )
    run.add_argument(
        "--batch-size", type=_positive_int, help=f"pages per batch (default {DEFAULT_BATCH_SIZE})"
    )
    run.add_argument(
        "--workers", type=_positive_int, help="worker processes (default: 2 or CPU count)"
    )
    run.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another run to finish instead of exiting (default 0)",
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--rehash",
        action="store_true",
        default=None,
        help="read and hash every input file, even those whose size and modification time "
        "are unchanged since they were last processed (default: $ETL_REHASH or off)",
    )

    query = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse",
        description="Run SQL against the warehouse catalog, read-only.",
    )
    query.add_argument("sql", nargs="?", help="SQL text (or use --file)")
    query.add_argument("--file", help="read the SQL from this file (e.g. queries/top_entities.sql)")
    query.add_argument("--warehouse", help=wh_help)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--max-rows", type=_positive_int, default=200, help="rows shown in table format"
    )

    inspect = sub.add_parser(
        "inspect", help="show what the parser finds in one page, with line numbers"
    )
    inspect.add_argument("page", help="path of a page file")

    summary = sub.add_parser(
        "summary", help="row counts, an example query and how to query further"
    )
    summary.add_argument("--warehouse", help=wh_help)

    catalog = sub.add_parser(
        "catalog", help="rebuild warehouse.duckdb from the manifest (after a move or crash)"
    )
    catalog.add_argument("--warehouse", help=wh_help)

    check = sub.add_parser(
        "check", help="reconcile input pages with videos + quarantine (nothing lost)"
    )
    check.add_argument(
        "--input", help="page folder, glob or URL (default: $ETL_INPUT or seeds/pages)"
    )
    check.add_argument("--warehouse", help=wh_help)

    report = sub.add_parser("report", help="write the self-contained HTML dashboard")
    report.add_argument("--warehouse", help=wh_help)

    synth = sub.add_parser("synth", help="generate a realistic synthetic corpus of pages")
    synth.add_argument("--pages", type=_positive_int, required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=0)

    sub.add_parser("dictionary", help="print the data dictionary generated from schemas/")
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.ERROR))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    handler = _HANDLERS[args.command]
    try:
        return handler(args)
    except WarehouseBusy as exc:
        print(f"etl: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except PublishError as exc:
        print(f"etl: publishing failed, the previous warehouse is intact: {exc}", file=sys.stderr)
        return EXIT_PUBLISH
    except UsageError as exc:
        print(f"etl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EtlError as exc:
        print(f"etl: {exc}", file=sys.stderr)
        return EXIT_VALIDATION
    except KeyboardInterrupt:
        print("etl: interrupted; the previous warehouse is intact", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        print(
            f"etl: internal error (a bug, please report it): {exc!r}; re-run with -v for the "
            "traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _settings(args: argparse.Namespace, **extra: Any) -> Any:
    from etl.config import settings_from_env

    return settings_from_env(
        input=getattr(args, "input", None),
        warehouse=getattr(args, "warehouse", None),
        **extra,
    )


def cmd_run(args: argparse.Namespace) -> int:
    from etl import pipeline
    from etl.storage import check_input

    settings = _settings(
        args,
        entity_backend=args.entities,
        batch_size=args.batch_size,
        workers=args.workers,
        rehash=args.rehash,
    )
    started = datetime.now(UTC)
    logical = args.logical_date
    if logical is None and args.run_id is None:
        logical = started.date()
    run_id = pipeline.run_id_for(explicit=args.run_id, logical_date=logical)
    check_input(settings.input)
    progress = _progress_bar(not args.no_progress and sys.stderr.isatty())
    summary = pipeline.run(
        settings,
        run_id=run_id,
        logical_date=logical,
        started_at=started,
        lock_wait_seconds=args.wait,
        on_batch=progress,
    )
    if hasattr(progress, "close"):
        progress.close()
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        print(format_run_summary(summary))
    return EXIT_VALIDATION if summary.status == "validation_failed" else EXIT_OK


class _Progress:
    def __init__(self) -> None:
        from tqdm import tqdm

        self._bar = tqdm(unit="page", desc="pages", file=sys.stderr, leave=False)

    def __call__(self, result: Any) -> None:
        self._bar.update(result.pages)

    def close(self) -> None:
        self._bar.close()


def _progress_bar(enabled: bool) -> Any:
    return _Progress() if enabled else None


def format_run_summary(summary: Any) -> str:
    lines = [
        f"run {summary.run_id}: {summary.status}",
        f"  pages      {summary.pages_seen} read, {summary.pages_skipped} unchanged (skipped), "
        f"{summary.pages_published} published, {sum(summary.quarantined.values())} quarantined",
    ]
    for reason, count in summary.quarantined.items():
        lines.append(f"    quarantine {reason:<18} {count}")
    lines.append("  rows       " + ", ".join(f"{t} {n}" for t, n in summary.rows.items()))
    total = sum(summary.seconds.values())
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in summary.seconds.items())
    lines.append(f"  time       {total:.2f}s ({stages})")
    for warning in summary.warnings:
        lines.append(f"  warning    {warning}")
    lines.append(f"  catalog    {summary.catalog} (generation {summary.generation})")
    if "validate" in summary.seconds:
        share = summary.seconds["validate"] / total if total else 0.0
        lines.append(f"  validation {summary.seconds['validate']:.2f}s ({share:.0%} of stage time)")
        parts = getattr(summary, "validation", None) or {}
        if parts:
            lines.append("             " + ", ".join(f"{k} {v:.2f}s" for k, v in parts.items()))
    if getattr(summary, "data_docs", None):
        lines.append(f"  data docs  {summary.data_docs}")
    return "\n".join(lines)


def _read_sql(args: argparse.Namespace) -> str:
    if args.file and args.sql:
        raise UsageError("give SQL text or --file, not both")
    if args.file:
        try:
            with open(args.file, encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            raise UsageError(f"cannot read SQL file {args.file}: {exc.strerror}") from None
    if not args.sql:
        raise UsageError("no SQL given; pass it as an argument or with --file")
    return str(args.sql)


def cmd_query(args: argparse.Namespace) -> int:
    from etl.query import run_query

    settings = _settings(args)
    columns, rows = run_query(settings.warehouse, _read_sql(args))
    print(format_rows(columns, rows, args.format, args.max_rows), end="")
    return EXIT_OK


def format_rows(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, max_rows: int = 200
) -> str:
    """Render query results as an aligned text table, CSV or JSON lines."""
    if fmt == "json":
        return "".join(
            json.dumps(dict(zip(columns, r, strict=True)), default=str, ensure_ascii=False) + "\n"
            for r in rows
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        writer.writerows(rows)
        return buf.getvalue()
    shown = [[_cell(v) for v in r] for r in rows[:max_rows]]
    widths = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]
    out = [" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in shown]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    footer += f", first {max_rows} shown)" if len(rows) > max_rows else ")"
    out.append(footer)
    return "\n".join(out) + "\n"


def _cell(value: Any, width: int = 60) -> str:
    text = "NULL" if value is None else str(value)
    text = text.replace("\n", "⏎ ")
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_inspect(args: argparse.Namespace) -> int:
    from etl.errors import PageRejected
    from etl.storage import read_page_bytes

    settings = _settings(args)
    try:
        raw = read_page_bytes(args.page, settings.max_page_bytes)
    except OSError as exc:
        raise UsageError(f"cannot read {args.page}: {exc.strerror or exc}") from None
    from etl.extract import decode_page
    from etl.inspect import render_inspection

    try:
        text = decode_page(raw.data, max_bytes=settings.max_page_bytes)
    except PageRejected as rej:
        print(f"{args.page}: quarantined as {rej.reason_code}: {rej.message}")
        return EXIT_OK
    print(render_inspection(text, args.page), end="")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from etl.query import warehouse_summary

    settings = _settings(args)
    print(warehouse_summary(settings.warehouse), end="")
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace) -> int:
    from etl.catalog import build_catalog
    from etl.publish import Warehouse, publish_lock

    settings = _settings(args)
    wh = Warehouse.at(settings.warehouse, create=False)
    with publish_lock(wh, wait_seconds=30):
        path = build_catalog(wh)
    print(f"catalog rebuilt: {path}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from etl.check import format_reconciliation, reconcile

    settings = _settings(args)
    result = reconcile(settings.input, settings.warehouse)
    print(format_reconciliation(result), end="")
    return EXIT_OK if result.ok else EXIT_VALIDATION


def cmd_report(args: argparse.Namespace) -> int:
    from etl.report import write_report

    settings = _settings(args)
    path = write_report(settings.warehouse)
    print(f"report written: {path}")
    return EXIT_OK


def cmd_synth(args: argparse.Namespace) -> int:
    from etl.synth import write_corpus

    count = write_corpus(args.out, pages=args.pages, seed=args.seed)
    print(f"wrote {count} pages to {args.out}")
    return EXIT_OK


def cmd_dictionary(args: argparse.Namespace) -> int:
    from etl.contracts import data_dictionary_markdown

    print(data_dictionary_markdown())
    return EXIT_OK


_HANDLERS = {
    "run": cmd_run,
    "query": cmd_query,
    "inspect": cmd_inspect,
    "summary": cmd_summary,
    "catalog": cmd_catalog,
    "check": cmd_check,
    "report": cmd_report,
    "synth": cmd_synth,
    "dictionary": cmd_dictionary,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
