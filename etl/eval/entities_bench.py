"""Throughput of the entity backends on seed-like pages: ``python -m etl.eval.entities_bench``.

Pages are the hand-split seed page (from the dev set) with a numbered title so no two pages are
identical, or (``--synth-pages N``) a synthetic corpus of every layout family (``etl.synth``,
generated in memory), decoded, parsed and turned into entity inputs exactly as the pipeline does;
on it the ``rules`` backend is timed on both of its paths (the page pass and the general
``assemble`` tail) and ``spacy`` on its first ``--spacy-pages`` pages, with the garbage
collector's threshold raised as ``pipeline.process_batch`` raises it.
On seed copies, ``rules`` on 2 processes runs two worker processes over halves of the pages (how
the pipeline parallelises batches); ``spacy`` on 2 processes uses ``nlp.pipe(n_process=2)``.
Numbers are after a warm-up call (model and automaton already loaded). Two rates are printed:
wall-clock pages/s, and pages per CPU-second (user+system time of this process and its workers),
which is the per-core rate and stays meaningful when other jobs share the machine (the load
average is printed too).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import multiprocessing
import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from etl.entities import EntityBackend, make_backend
from etl.entities.rules_backend import RulesBackend
from etl.errors import PageRejected
from etl.eval.entities import load_devset
from etl.extract import decode_page
from etl.parse import parse_page
from etl.records import EntityText, Mention, PageEntityInput
from etl.synth import iter_corpus

SEED_PAGE_ID = "000_079ed658b08d6845"
# ``pipeline.process_batch`` raises the youngest GC generation's threshold to this for a batch.
BATCH_GC_THRESHOLD = 50_000


def seed_like_pages(count: int) -> list[PageEntityInput]:
    """``count`` copies of the seed page, each title made unique with its number."""
    (seed,) = [dev.page for dev in load_devset() if dev.page_id == SEED_PAGE_ID]
    pages: list[PageEntityInput] = []
    for number in range(count):
        title = seed.texts[0]
        numbered = EntityText(title.source, f"{title.text} (part {number})", title.comment_index)
        pages.append(replace(seed, texts=(numbered, *seed.texts[1:])))
    return pages


def synthetic_pages(count: int, seed: int) -> list[PageEntityInput]:
    """Entity inputs of a synthetic corpus (``etl synth``), parsed as the pipeline parses them."""
    from etl.pipeline import entity_inputs

    pages: list[PageEntityInput] = []
    for synth in iter_corpus(count, seed):
        try:
            pages.append(entity_inputs(parse_page(decode_page(synth.data))))
        except PageRejected:
            continue
    return pages


def mentions_digest(found: Sequence[Sequence[Mention]]) -> str:
    """SHA-256 over every mention of every page (``repr`` of its fields, pages delimited): two
    runs with the same digest produced the same records, which is how a speed-up proves it
    changed nothing."""
    digest = hashlib.sha256()
    for page in found:
        for mention in page:
            digest.update(repr(tuple(mention)).encode())
            digest.update(b"\x1e")
        digest.update(b"\x1d")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class CorpusThroughput:
    """One backend path on the synthetic corpus: CPU seconds (best of ``repeats``), mentions
    and their ``mentions_digest``."""

    path: str
    pages: int
    mentions: int
    cpu_seconds: float
    digest: str = ""

    @property
    def pages_per_cpu_second(self) -> float:
        return self.pages / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")

    @property
    def microseconds_per_mention(self) -> float:
        return 1e6 * self.cpu_seconds / self.mentions if self.mentions else 0.0


def measure_corpus(
    path: str, backend: EntityBackend, pages: Sequence[PageEntityInput], repeats: int
) -> CorpusThroughput:
    """Best CPU time of ``repeats`` ``annotate`` calls (the machine is shared: the minimum is
    the least disturbed run), after a warm-up call, with the pipeline's GC threshold."""
    backend.annotate(pages[:5])
    best = float("inf")
    found: list[list[Mention]] = []
    thresholds = gc.get_threshold()
    gc.set_threshold(BATCH_GC_THRESHOLD, *thresholds[1:])
    # The inputs are long-lived objects of the earlier stages; without this the collector's
    # passes over the freshly generated corpus are charged to the backend.
    gc.collect()
    gc.freeze()
    try:
        for _ in range(repeats):
            started = time.process_time()
            found = backend.annotate(pages)
            best = min(best, time.process_time() - started)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    mentions = sum(len(page) for page in found)
    return CorpusThroughput(path, len(pages), mentions, best, mentions_digest(found))


def corpus_report(pages: Sequence[PageEntityInput], spacy_pages: int, repeats: int) -> list[str]:
    """One line per backend path on the synthetic corpus."""
    results = [
        measure_corpus("rules (page pass)", RulesBackend(), pages, repeats),
        measure_corpus("rules (general tail)", RulesBackend(fast=False), pages, repeats),
    ]
    if spacy_pages > 0:
        results.append(measure_corpus("spacy", make_backend("spacy"), pages[:spacy_pages], 1))
    chars = sum(len(t.text) for page in pages for t in page.texts) / max(len(pages), 1)
    lines = [f"synthetic corpus: {len(pages)} pages, {chars:,.0f} chars per page"]
    lines += [
        f"{r.path:<22} pages={r.pages} mentions={r.mentions} cpu_s={r.cpu_seconds:.3f} "
        f"pages/cpu_s={r.pages_per_cpu_second:,.0f} us/mention={r.microseconds_per_mention:.2f} "
        f"sha256={r.digest[:16]}"
        for r in results
    ]
    return lines


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
    parser.add_argument(
        "--synth-pages",
        type=int,
        default=0,
        help="time the backends on this many synthetic pages instead of seed copies",
    )
    parser.add_argument("--seed", type=int, default=3, help="synthetic corpus seed")
    parser.add_argument("--repeats", type=int, default=3, help="rules runs (best is kept)")
    args = parser.parse_args(argv)
    if args.synth_pages > 0:
        spacy_pages = args.spacy_pages if args.backend in ("spacy", "all") else 0
        pages = synthetic_pages(args.synth_pages, args.seed)
        print(f"cpus={os.cpu_count()} load_average_1m={os.getloadavg()[0]:.2f}")
        print("\n".join(corpus_report(pages, spacy_pages, args.repeats)))
        return 0
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
