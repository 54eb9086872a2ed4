"""The ``spacy`` backend: en_core_web_sm's NER with an EntityRuler for the alias seed.

The pipeline is loaded once per process with everything but ``ner`` excluded (en_core_web_sm's
``ner`` has its own embedded tok2vec, so tagger/parser/lemmatizer only cost time). An
``entity_ruler`` before ``ner`` pins the curated aliases ("Hezbollah", "Pezeshkian"); ``ner``
respects those preset entities. Per-page knowledge (the channel, titled persons, hashtags) is added
after the model by the shared post-pass in ``etl.entities.assemble``, so no per-page pipeline
change is ever needed.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.entities.assemble import page_mentions
from etl.entities.reference import (
    DEFAULT_MIN_CITY_POPULATION,
    load_reference,
    read_alias_seed,
)
from etl.entities.rules_backend import cached_automaton, gazetteer_spans, surface_variants
from etl.entities.settings import (
    DEFAULT_BATCH_SIZE,
    MODEL_INSTALL_HINT,
    SPACY_BACKEND,
    SPACY_MODEL,
    default_alias_path,
)
from etl.entities.spans import RawSpan
from etl.errors import ConfigError
from etl.records import Mention, PageEntityInput

if TYPE_CHECKING:
    from spacy.language import Language

# Components of the en_core_web_* pipelines that NER does not need.
_UNNEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def model_installed(model_name: str = SPACY_MODEL) -> bool:
    """True when both spaCy and the model package can be imported (nothing is loaded)."""
    return (
        importlib.util.find_spec("spacy") is not None
        and importlib.util.find_spec(model_name) is not None
    )


def missing_model_message(model_name: str) -> str:
    """The ConfigError text for a missing model: what is missing and both ways forward."""
    return (
        f"entity backend 'spacy' needs the spaCy model package {model_name!r}, "
        f"which is not installed: {MODEL_INSTALL_HINT}"
    )


def ruler_patterns(alias_path: Path) -> list[dict[str, Any]]:
    """EntityRuler phrase patterns for every alias-seed surface (and its ALL CAPS form)."""
    return [
        {"label": name.label, "pattern": form}
        for name in read_alias_seed(alias_path)
        for form in surface_variants(name.surface)
    ]


@functools.cache
def load_pipeline(model_name: str = SPACY_MODEL, alias_path: Path | None = None) -> Language:
    """The NER-only pipeline with the alias ruler, loaded once per process and configuration."""
    if not model_installed(model_name):
        raise ConfigError(missing_model_message(model_name))
    import spacy

    nlp = spacy.load(model_name, exclude=list(_UNNEEDED))
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {model_name!r} has no 'ner' component")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"validate": True})
    ruler.add_patterns(ruler_patterns(alias_path or default_alias_path()))  # type: ignore[attr-defined]
    return nlp


def _flatten(pages: Sequence[PageEntityInput]) -> Iterator[tuple[str, tuple[int, int]]]:
    """Every text of every page with its (page, text) position, for one big ``nlp.pipe`` run."""
    for page_index, page in enumerate(pages):
        for text_index, entity_text in enumerate(page.texts):
            yield entity_text.text, (page_index, text_index)


@dataclass(frozen=True)
class SpacyBackend:
    """Statistical NER backend; ``n_process`` > 1 forks workers inside ``nlp.pipe``."""

    n_process: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    keep_labels: frozenset[str] = frozenset()
    model_name: str = SPACY_MODEL
    alias_path: Path | None = None
    min_population: int = DEFAULT_MIN_CITY_POPULATION
    name: str = SPACY_BACKEND

    def load(self) -> None:
        """Load the pipeline now (fail fast on a missing model instead of at the first page)."""
        load_pipeline(self.model_name, self.alias_path)

    def annotate(self, pages: Sequence[PageEntityInput]) -> list[list[Mention]]:
        """One mention list per page, in input order; all texts go through one ``nlp.pipe``."""
        nlp = load_pipeline(self.model_name, self.alias_path)
        reference = load_reference(self.alias_path, self.min_population)
        spans: list[list[list[RawSpan]]] = [[[] for _ in page.texts] for page in pages]
        docs = nlp.pipe(
            _flatten(pages),
            as_tuples=True,
            batch_size=self.batch_size,
            n_process=self.n_process,
        )
        automaton = cached_automaton(self.alias_path, self.min_population)
        for doc, (page_index, text_index) in docs:
            # Gazetteer spans (lowest priority) fill gaps where the model found nothing.
            spans[page_index][text_index] = [
                *(RawSpan(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents),
                *gazetteer_spans(doc.text, automaton),
            ]
        return [
            page_mentions(page, page_spans, reference, self.keep_labels)
            for page, page_spans in zip(pages, spans, strict=True)
        ]
