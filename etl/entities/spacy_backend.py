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

# Texts are cut into pieces of at most this many characters before ``nlp.pipe``: spaCy refuses
# texts over ``nlp.max_length`` (1,000,000) and NER memory grows with length, while pages may be
# several megabytes. Cuts fall on whitespace, so at most a name spanning a cut is lost.
MAX_PIECE_CHARS = 50_000

# Components of the en_core_web_* pipelines that NER does not need.
_UNNEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def model_installed(model_name: str = SPACY_MODEL) -> bool:
    """True when both spaCy and the model package can be imported (nothing is loaded)."""
    try:
        return (
            importlib.util.find_spec("spacy") is not None
            and importlib.util.find_spec(model_name) is not None
        )
    except (ImportError, ValueError):  # "a.b" with no package "a", or an empty name
        return False


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


def text_pieces(text: str, limit: int = MAX_PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` cuts of ``text``, each at most ``limit`` chars, cut after whitespace.

    A stretch without whitespace longer than ``limit`` is cut hard.
    """
    offset = 0
    while len(text) - offset > limit:
        window = text[offset : offset + limit]
        cut = max(window.rfind("\n"), window.rfind(" "))
        size = cut + 1 if cut > 0 else limit
        yield offset, window[:size]
        offset += size
    yield offset, text[offset:]


def _flatten(
    pages: Sequence[PageEntityInput], limit: int
) -> Iterator[tuple[str, tuple[int, int, int]]]:
    """Every piece of every text with its (page, text, offset), for one big ``nlp.pipe`` run."""
    for page_index, page in enumerate(pages):
        for text_index, entity_text in enumerate(page.texts):
            for offset, piece in text_pieces(entity_text.text, limit):
                yield piece, (page_index, text_index, offset)


@dataclass(frozen=True)
class SpacyBackend:
    """Statistical NER backend; ``n_process`` > 1 forks workers inside ``nlp.pipe``."""

    n_process: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    keep_labels: frozenset[str] = frozenset()
    model_name: str = SPACY_MODEL
    alias_path: Path | None = None
    min_population: int = DEFAULT_MIN_CITY_POPULATION
    max_piece_chars: int = MAX_PIECE_CHARS
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
            _flatten(pages, self.max_piece_chars),
            as_tuples=True,
            batch_size=self.batch_size,
            n_process=self.n_process,
        )
        for doc, (page_index, text_index, offset) in docs:
            spans[page_index][text_index].extend(
                RawSpan(offset + ent.start_char, offset + ent.end_char, ent.label_)
                for ent in doc.ents
            )
        automaton = cached_automaton(self.alias_path, self.min_population)
        for page, page_spans in zip(pages, spans, strict=True):
            for entity_text, text_spans in zip(page.texts, page_spans, strict=True):
                # Gazetteer spans (lowest priority) fill gaps where the model found nothing.
                text_spans.extend(gazetteer_spans(entity_text.text, automaton))
        return [
            page_mentions(page, page_spans, reference, self.keep_labels)
            for page, page_spans in zip(pages, spans, strict=True)
        ]
