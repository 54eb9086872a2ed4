"""Throughput of the entity backends on seed-like pages: ``python -m etl.eval.entities_bench``.

Pages are the hand-split seed page (from the dev set) with a numbered title so no two pages are
identical. ``rules`` on 2 processes runs two worker processes over halves of the pages (how the
pipeline parallelises batches); ``spacy`` on 2 processes uses ``nlp.pipe(n_process=2)``.
Numbers are after a warm-up call (model and automaton already loaded). Two rates are printed:
wall-clock pages/s, and pages per CPU-second (user+system time of this process and its workers),
which is the per-core rate and stays meaningful when other jobs share the machine (the load
average is printed too).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from etl.entities import make_backend
from etl.eval.entities import load_devset
from etl.records import EntityText, PageEntityInput

SEED_PAGE_ID = "000_079ed658b08d6845"


def seed_like_pages(count: int) -> list[PageEntityInput]:
    """``count`` copies of the seed page, each title made unique with its number."""
    (seed,) = [dev.page for dev in load_devset() if dev.page_id == SEED_PAGE_ID]
    pages: list[PageEntityInput] = []
    for number in range(count):
        title = seed.texts[0]
        numbered = EntityText(title.source, f"{title.text} (part {number})", title.comment_index)
        pages.append(replace(seed, texts=(numbered, *seed.texts[1:])))
    return pages


@dataclass(frozen=True, slots=True)
class Throughput:
    """One measurement."""

    backend: str
    processes: int
    pages: int
    seconds: float
    cpu_seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("inf")

    @property
    def pages_per_cpu_second(self) -> float:
        return self.pages / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")


def _cpu_seconds(who: int) -> float:
    """User + system CPU seconds of this process (RUSAGE_SELF) or its reaped children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _rules_worker(pages: Sequence[PageEntityInput]) -> float:
    """Annotate ``pages`` in a worker; returns its CPU seconds (results stay in the worker)."""
    backend = make_backend("rules")
    backend.annotate(pages[:1])
    started = time.process_time()
    backend.annotate(pages)
    return time.process_time() - started


def measure_rules(pages: Sequence[PageEntityInput], processes: int) -> Throughput:
    """Wall time of ``processes`` workers over equal slices (workers warmed before timing)."""
    if processes == 1:
        backend = make_backend("rules")
        backend.annotate(pages[:1])
        started, cpu = time.perf_counter(), time.process_time()
        backend.annotate(pages)
        return Throughput(
            "rules", 1, len(pages), time.perf_counter() - started, time.process_time() - cpu
        )
    chunks = [list(pages[i::processes]) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(_rules_worker, [chunk[:10] for chunk in chunks])  # start and warm the workers
        started = time.perf_counter()
        cpu = sum(pool.map(_rules_worker, chunks))
        elapsed = time.perf_counter() - started
    return Throughput("rules", processes, len(pages), elapsed, cpu)


def measure_spacy(pages: Sequence[PageEntityInput], processes: int) -> Throughput:
    """Wall time of one ``annotate`` call with ``nlp.pipe(n_process=processes)``."""
    backend = make_backend("spacy", n_process=processes)
    make_backend("spacy").annotate(pages[:1])
    children = _cpu_seconds(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)
    backend.annotate(pages)
    elapsed = time.perf_counter() - started
    spent = _cpu_seconds(resource.RUSAGE_SELF) - cpu
    spent += _cpu_seconds(resource.RUSAGE_CHILDREN) - children
    return Throughput("spacy", processes, len(pages), elapsed, spent)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print one line per (backend, processes)."""
    parser = argparse.ArgumentParser(description="entity backend throughput on seed-like pages")
    parser.add_argument("--rules-pages", type=int, default=20_000)
    parser.add_argument("--spacy-pages", type=int, default=200)
    parser.add_argument("--backend", choices=("rules", "spacy", "all"), default="all")
    args = parser.parse_args(argv)
    results: list[Throughput] = []
    if args.backend in ("rules", "all"):
        pages = seed_like_pages(args.rules_pages)
        results += [measure_rules(pages, n) for n in (1, 2)]
    if args.backend in ("spacy", "all"):
        pages = seed_like_pages(args.spacy_pages)
        results += [measure_spacy(pages, n) for n in (1, 2)]
    print(f"cpus={os.cpu_count()} load_average_1m={os.getloadavg()[0]:.2f}")
    for r in results:
        print(
            f"{r.backend:<6} processes={r.processes} pages={r.pages} seconds={r.seconds:.2f} "
            f"pages/s={r.pages_per_second:.1f} pages/cpu_s={r.pages_per_cpu_second:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
