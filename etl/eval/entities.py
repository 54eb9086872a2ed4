"""Precision/recall/F1 of the entity backends on the labelled dev set, plus pages/s.

Run ``python -m etl.eval.entities [--backend spacy|rules|all]``. Two matchings are reported:
``exact`` (same text, source, offsets and label) and ``canonical`` (per page, the set of
(canonical name key, label) pairs; gold canonical names come from the same ``canonical`` rules
applied to the gold surfaces). Only the labels the dev set annotates are scored
(``SCORED_LABELS``); predictions with other labels (EVENT, FAC, ...) are counted as unscored.

Dev set guidelines (tests/fixtures/entities_devset/*.json): PERSON without titles; ORG for
organisations, outlets, parties, armed groups and the page's channel; GPE for countries, cities,
states; LOC for regions, seas, continents and "the West"; NORP for nationalities, religious and
political groups; HASHTAG as the tag without '#'. Not marked: platform names used as link labels,
scripture references and deities, @handles, dates and numbers, and the unscored labels (FAC,
EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE). ``holdout/`` holds pages written after the rules
were tuned on the main set: score it with ``--devset tests/fixtures/entities_devset/holdout``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.entities import BACKEND_NAMES, EntityBackend, make_backend
from etl.entities.canonical import canonicalise_page
from etl.entities.names import name_key
from etl.entities.reference import load_reference
from etl.errors import ConfigError
from etl.records import EntityText, Mention, PageEntityInput, SourceKind

SCORED_LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "NORP", "HASHTAG")
OVERALL = "overall"
_SOURCES: frozenset[str] = frozenset({"title", "description", "comment"})


def default_devset_dir() -> Path:
    """The dev set in the repository (``tests/fixtures/entities_devset``)."""
    return Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "entities_devset"


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One hand-marked mention: where it is and what it is."""

    source: SourceKind
    comment_index: int | None
    start_char: int
    end_char: int
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class DevPage:
    """One dev-set page: the backend input and its gold mentions."""

    page_id: str
    family: str
    page: PageEntityInput
    gold: tuple[GoldMention, ...]


def _source(value: object, where: str) -> SourceKind:
    """A validated ``SourceKind`` (the JSON is hand-written, so check it)."""
    if value == "title":
        return "title"
    if value == "description":
        return "description"
    if value == "comment":
        return "comment"
    raise ConfigError(f"{where}: source {value!r} not in {sorted(_SOURCES)}")


def parse_devpage(doc: dict[str, object], where: str) -> DevPage:
    """A ``DevPage`` from one JSON document; every gold span must slice to its text."""
    texts_raw = doc["texts"]
    gold_raw = doc["gold"]
    if not isinstance(texts_raw, list) or not isinstance(gold_raw, list):
        raise ConfigError(f"{where}: 'texts' and 'gold' must be lists")
    texts = tuple(
        EntityText(_source(t["source"], where), str(t["text"]), t.get("comment_index"))
        for t in texts_raw
    )
    by_position = {(t.source, t.comment_index): t.text for t in texts}
    gold: list[GoldMention] = []
    for g in gold_raw:
        mention = GoldMention(
            _source(g["source"], where),
            g.get("comment_index"),
            int(g["start_char"]),
            int(g["end_char"]),
            str(g["text"]),
            str(g["label"]),
        )
        source_text = by_position.get((mention.source, mention.comment_index))
        if (
            source_text is None
            or source_text[mention.start_char : mention.end_char] != mention.text
        ):
            raise ConfigError(f"{where}: gold {mention} does not slice to its text")
        gold.append(mention)
    channel = doc.get("channel")
    page = PageEntityInput(texts, channel if isinstance(channel, str) else None)
    return DevPage(str(doc["page_id"]), str(doc["family"]), page, tuple(gold))


def load_devset(directory: Path | None = None) -> list[DevPage]:
    """Every ``*.json`` page of the dev set, sorted by file name."""
    folder = directory or default_devset_dir()
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise ConfigError(f"no dev-set pages (*.json) in {folder}")
    return [parse_devpage(json.loads(p.read_text(encoding="utf-8")), str(p)) for p in paths]


@dataclass(frozen=True, slots=True)
class Score:
    """Counts for one label; precision/recall/F1 derived (0 when undefined)."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _scores(
    gold: Counter[tuple[object, ...]], pred: Counter[tuple[object, ...]]
) -> dict[str, Score]:
    """Per-label and overall scores of two multisets whose last element is the label."""
    result: dict[str, Score] = {}
    for label in (*SCORED_LABELS, OVERALL):

        def keep(key: tuple[object, ...], label: str = label) -> bool:
            return label == OVERALL or key[-1] == label

        g = Counter({k: v for k, v in gold.items() if keep(k)})
        p = Counter({k: v for k, v in pred.items() if keep(k)})
        tp = sum((g & p).values())
        result[label] = Score(tp, sum(p.values()) - tp, sum(g.values()) - tp)
    return result


def exact_keys(
    mentions: Iterable[Mention | GoldMention], page_no: int
) -> Counter[tuple[object, ...]]:
    """Multiset of (page, source, comment, start, end, label) over scored labels."""
    return Counter(
        (page_no, m.source, m.comment_index, m.start_char, m.end_char, m.label)
        for m in mentions
        if m.label in SCORED_LABELS
    )


def gold_canonical_keys(dev: DevPage, page_no: int) -> set[tuple[object, ...]]:
    """(page, canonical key, label) of the gold mentions, canonicalised like predictions."""
    named = canonicalise_page([(g.label, g.text) for g in dev.gold], load_reference())
    return {
        (page_no, name_key(n.canonical_name), n.label) for n in named if n.label in SCORED_LABELS
    }


def pred_canonical_keys(mentions: Iterable[Mention], page_no: int) -> set[tuple[object, ...]]:
    """(page, canonical key, label) of predicted mentions over scored labels."""
    return {
        (page_no, name_key(m.canonical_name), m.label) for m in mentions if m.label in SCORED_LABELS
    }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One backend's result on the dev set."""

    backend: str
    exact: dict[str, Score]
    canonical: dict[str, Score]
    unscored_predictions: int
    pages_per_second: float


def evaluate(backend: EntityBackend, devset: Sequence[DevPage]) -> Evaluation:
    """Annotate the dev set once (timed) and score it both ways."""
    started = time.perf_counter()
    predicted = backend.annotate([dev.page for dev in devset])
    elapsed = time.perf_counter() - started
    gold_exact: Counter[tuple[object, ...]] = Counter()
    pred_exact: Counter[tuple[object, ...]] = Counter()
    gold_canon: Counter[tuple[object, ...]] = Counter()
    pred_canon: Counter[tuple[object, ...]] = Counter()
    unscored = 0
    for page_no, (dev, mentions) in enumerate(zip(devset, predicted, strict=True)):
        gold_exact += exact_keys(dev.gold, page_no)
        pred_exact += exact_keys(mentions, page_no)
        gold_canon.update(gold_canonical_keys(dev, page_no))
        pred_canon.update(pred_canonical_keys(mentions, page_no))
        unscored += sum(1 for m in mentions if m.label not in SCORED_LABELS)
    return Evaluation(
        backend.name,
        _scores(gold_exact, pred_exact),
        _scores(gold_canon, pred_canon),
        unscored,
        len(devset) / elapsed if elapsed > 0 else float("inf"),
    )


def format_evaluation(result: Evaluation) -> str:
    """A fixed-width table: one row per label, exact and canonical P/R/F1."""
    lines = [
        f"backend={result.backend} pages/s={result.pages_per_second:.1f} "
        f"unscored_predictions={result.unscored_predictions}",
        f"{'label':<9}{'exact P':>9}{'R':>7}{'F1':>7}{'tp/fp/fn':>13}"
        f"{'canon P':>10}{'R':>7}{'F1':>7}{'tp/fp/fn':>13}",
    ]
    for label in (*SCORED_LABELS, OVERALL):
        e, c = result.exact[label], result.canonical[label]
        lines.append(
            f"{label:<9}{e.precision:>9.3f}{e.recall:>7.3f}{e.f1:>7.3f}"
            f"{f'{e.tp}/{e.fp}/{e.fn}':>13}"
            f"{c.precision:>10.3f}{c.recall:>7.3f}{c.f1:>7.3f}{f'{c.tp}/{c.fp}/{c.fn}':>13}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; prints one table per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=(*BACKEND_NAMES, "all"), default="all")
    parser.add_argument("--devset", type=Path, default=None)
    args = parser.parse_args(argv)
    devset = load_devset(args.devset)
    names = BACKEND_NAMES if args.backend == "all" else (args.backend,)
    for name in names:
        backend = make_backend(name)
        backend.annotate([devset[0].page])  # warm caches so pages/s measures steady state
        print(format_evaluation(evaluate(backend, devset)))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
