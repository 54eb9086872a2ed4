"""Parser throughput on the synthetic corpus: ``python -m etl.parse.bench --pages N``.

Generates ``N`` pages of ``etl.synth`` in memory (all families, so the mix follows FORMATS.md),
then times ``decode_page`` + ``parse_page`` over them with ``time.process_time`` (CPU time of this
process: other load on a shared machine distorts it less than wall time) for several repetitions
and prints pages/s per core, overall and per family, using the fastest repetition. ``--digest``
also prints a hash of every result (record or rejection), so two versions of the parser can be
checked for identical output on the same corpus. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page
from etl.parse.links import _cached_label_before, _cached_link_parts
from etl.parse.patterns import _cached_is_date_line
from etl.parse.title import _looks_like_channel
from etl.synth import iter_corpus

_DEFAULT_PAGES = 5_000
_DEFAULT_REPEATS = 5


@dataclass(frozen=True, slots=True)
class Timing:
    """Best CPU seconds and page/byte counts of one group of pages (a family or all)."""

    group: str
    pages: int
    size_bytes: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        """Pages per CPU second (one core)."""
        return self.pages / self.seconds if self.seconds else float("inf")


def run_once(raws: Sequence[bytes]) -> None:
    """Decode and parse every page (the timed work: nothing else happens per page)."""
    for raw in raws:
        with contextlib.suppress(PageRejected):
            parse_page(decode_page(raw))


def outcomes(raws: Sequence[bytes]) -> list[str]:
    """A full description of every page's result (record or rejection), for ``digest``."""
    found: list[str] = []
    for raw in raws:
        try:
            found.append(repr(parse_page(decode_page(raw))))
        except PageRejected as rejected:
            found.append(f"rejected:{rejected.reason_code}:{rejected.line}:{rejected.message}")
    return found


def time_groups(groups: dict[str, list[bytes]], repeats: int) -> list[Timing]:
    """Best-of-``repeats`` CPU time per group, plus an ``all`` row (sum of the group bests)."""
    timings: list[Timing] = []
    for group, raws in sorted(groups.items()):
        best = float("inf")
        for _ in range(repeats):
            clear_parser_caches()  # each repetition is a first pass, as in a real run
            started = time.process_time()
            run_once(raws)
            best = min(best, time.process_time() - started)
        timings.append(Timing(group, len(raws), sum(map(len, raws)), best))
    total = Timing(
        "all",
        sum(t.pages for t in timings),
        sum(t.size_bytes for t in timings),
        sum(t.seconds for t in timings),
    )
    return [total, *timings]


def clear_parser_caches() -> None:
    """Empty the parser's small result caches (repeats within one pass still hit them)."""
    for cached in (
        _cached_is_date_line,
        _looks_like_channel,
        _cached_link_parts,
        _cached_label_before,
    ):
        cached.cache_clear()


def format_table(timings: Sequence[Timing]) -> str:
    """A plain-text table: group, pages, KB/page, CPU ms/page, pages/s per core."""
    rows = [f"{'family':<14}{'pages':>7}{'KB/page':>9}{'ms/page':>9}{'pages/s':>10}"]
    for t in timings:
        kb = t.size_bytes / t.pages / 1024 if t.pages else 0.0
        ms = t.seconds / t.pages * 1000 if t.pages else 0.0
        rows.append(f"{t.group:<14}{t.pages:>7}{kb:>9.1f}{ms:>9.3f}{t.pages_per_second:>10,.0f}")
    return "\n".join(rows)


def digest(raws: Sequence[bytes]) -> str:
    """SHA-256 over every page's outcome: equal digests mean identical parser output."""
    hasher = hashlib.sha256()
    for outcome in outcomes(raws):
        hasher.update(outcome.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m etl.parse.bench``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=_DEFAULT_PAGES)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=_DEFAULT_REPEATS)
    parser.add_argument("--digest", action="store_true", help="print a hash of all results")
    args = parser.parse_args(argv)
    groups: dict[str, list[bytes]] = defaultdict(list)
    for page in iter_corpus(args.pages, args.seed):
        groups[page.family].append(page.data)
    run_once([raw for raws in groups.values() for raw in raws])  # warm-up (imports, caches)
    print(format_table(time_groups(dict(groups), args.repeats)))
    if args.digest:
        print("digest", digest([raw for raws in groups.values() for raw in raws]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
