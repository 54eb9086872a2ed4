"""Entity extraction: pages' titles, descriptions and comments -> ``Mention`` records.

Two backends share one post-processing tail (patterns, cleaning, canonical names):
``spacy`` (default; statistical NER, needs the pinned model package) and ``rules`` (gazetteers
and patterns, no model, much faster). Nothing is loaded at import time.

Hashtag convention (both backends): a HASHTAG mention's ``text`` is the tag without '#', and its
offsets cover the tag only, so ``source_text[start_char:end_char] == text`` holds for every label
and the '#' sits at ``start_char - 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from etl.entities.settings import (
    BACKEND_NAMES,
    DEFAULT_BACKEND,
    DEFAULT_BATCH_SIZE,
    RULES_BACKEND,
    SPACY_BACKEND,
    SPACY_MODEL,
)
from etl.errors import ConfigError
from etl.records import Mention, PageEntityInput

__all__ = [
    "BACKEND_NAMES",
    "DEFAULT_BACKEND",
    "EntityBackend",
    "available_backends",
    "make_backend",
    "resolve_backend_name",
]


class EntityBackend(Protocol):
    """Turns pages into mentions: one list per page, in input order, sorted within the page."""

    @property
    def name(self) -> str:
        """The backend's name as given to ``make_backend``."""
        ...

    def annotate(self, pages: Sequence[PageEntityInput]) -> list[list[Mention]]:
        """Mentions of every page; batching across pages is the backend's job."""
        ...


def available_backends(model_name: str = SPACY_MODEL) -> tuple[str, ...]:
    """Backends usable on this machine: ``rules`` always, ``spacy`` when its model is installed."""
    from etl.entities.spacy_backend import model_installed

    return BACKEND_NAMES if model_installed(model_name) else (RULES_BACKEND,)


def resolve_backend_name(
    requested: str | None,
    *,
    explicit: bool | None = None,
    model_name: str = SPACY_MODEL,
) -> tuple[str, str | None]:
    """The backend to use and a warning, if any.

    A request is explicit when ``explicit`` says so or, if ``explicit`` is None, when
    ``requested`` is not None. An implicit request for the default ``spacy`` backend without the
    model falls back to ``rules`` with a warning; an explicit one is a ``ConfigError`` (the user
    asked for it). An unknown name is a ``ConfigError`` either way.
    """
    from etl.entities.spacy_backend import missing_model_message, model_installed

    if requested is not None and requested not in BACKEND_NAMES:
        raise ConfigError(f"unknown entity backend {requested!r}; choose one of {BACKEND_NAMES}")
    name = requested or DEFAULT_BACKEND
    if name != SPACY_BACKEND or model_installed(model_name):
        return name, None
    is_explicit = requested is not None if explicit is None else explicit
    if not is_explicit:
        warning = missing_model_message(model_name) + "; falling back to the 'rules' backend"
        return RULES_BACKEND, warning
    raise ConfigError(missing_model_message(model_name))


def make_backend(
    name: str = DEFAULT_BACKEND,
    *,
    n_process: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    keep_labels: frozenset[str] = frozenset(),
    model_name: str = SPACY_MODEL,
) -> EntityBackend:
    """A ready backend; ``spacy`` loads its pipeline here so a missing model fails fast.

    ``keep_labels`` opts numeric/temporal labels (DATE, CARDINAL, ...) back in. ``model_name`` is
    for tests and experiments; the project pins one model.
    """
    if n_process < 1 or batch_size < 1:
        raise ConfigError(f"n_process and batch_size must be >= 1, got {n_process}, {batch_size}")
    if name == RULES_BACKEND:
        from etl.entities.rules_backend import RulesBackend

        return RulesBackend(keep_labels=keep_labels)
    if name == SPACY_BACKEND:
        from etl.entities.spacy_backend import SpacyBackend

        backend = SpacyBackend(
            n_process=n_process,
            batch_size=batch_size,
            keep_labels=keep_labels,
            model_name=model_name,
        )
        backend.load()
        return backend
    raise ConfigError(f"unknown entity backend {name!r}; choose one of {BACKEND_NAMES}")
