"""Settings: one frozen object built from the environment, CLI options or Airflow params.

This is the only module that reads ``os.environ``; nothing reads config at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from etl.errors import ConfigError

ENTITY_BACKENDS = ("spacy", "rules")
DEFAULT_BATCH_SIZE = 2000
DEFAULT_MAX_PAGE_BYTES = 8_000_000


# DuckDB memory for the pipeline's own connections (run audit, catalog build, history lookups);
# they spill to disk beyond it. Unbounded, DuckDB takes up to 80% of RAM: at 1,000,000 pages the
# catalog build alone reached 3.3 GB. At that size the run audit's uniqueness check of 51.7 M
# mention ids needs ~700 MB on two threads (512 MB ran out of memory).
DUCKDB_MEMORY_LIMIT = "768MB"


DuckDBConfig = dict[str, str | bool | int | float | list[str]]  # duckdb.connect's config type


def duckdb_config(search_path: str) -> DuckDBConfig:
    """Config of a pipeline-internal DuckDB connection: relative file paths resolved under
    ``search_path``, memory capped, spilling to a private temp directory of this process."""
    import tempfile

    return {
        "file_search_path": search_path,
        "memory_limit": DUCKDB_MEMORY_LIMIT,
        "temp_directory": os.path.join(tempfile.gettempdir(), f"etl-duckdb-spill-{os.getpid()}"),
    }


def project_root() -> Path:
    """The checkout this package was installed from (editable install), else the working dir."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def default_input() -> str:
    return str(project_root() / "seeds" / "pages")


def default_warehouse() -> str:
    return str(project_root() / "warehouse")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs to know besides its partition key.

    ``input`` is a directory, a glob or an fsspec URL of page files; ``warehouse`` a directory or
    URL. ``entity_backend_explicit`` records whether the user asked for the backend (an implicit
    default may fall back to ``rules`` when the spaCy model is not installed; an explicit one
    may not).
    """

    input: str
    warehouse: str
    entity_backend: str = "spacy"
    entity_backend_explicit: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    workers: int = 1
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES
    orchestrator: str = "cli"
    gc_grace_seconds: int = 600
    show_progress: bool = False
    rehash: bool = False  # ignore the size + mtime record: read and hash every input file

    def __post_init__(self) -> None:
        if self.entity_backend not in ENTITY_BACKENDS:
            raise ConfigError(
                f"unknown entity backend {self.entity_backend!r}; choose one of "
                f"{', '.join(ENTITY_BACKENDS)}"
            )
        if self.batch_size < 1:
            raise ConfigError(f"batch size must be >= 1, got {self.batch_size}")
        if self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}")
        if self.max_page_bytes < 1:
            raise ConfigError(f"max page bytes must be >= 1, got {self.max_page_bytes}")

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the non-None ``changes`` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def settings_from_env(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``ETL_*`` environment variables, then explicit ``overrides`` (non-None win).

    Variables: ETL_INPUT, ETL_WAREHOUSE, ETL_ENTITIES, ETL_BATCH_SIZE, ETL_WORKERS,
    ETL_MAX_PAGE_BYTES, ETL_GC_GRACE_SECONDS, ETL_REHASH (1/true: hash every input file).
    """
    env = os.environ if env is None else env
    backend_env = env.get("ETL_ENTITIES") or None
    base = Settings(
        input=env.get("ETL_INPUT") or default_input(),
        warehouse=env.get("ETL_WAREHOUSE") or default_warehouse(),
        entity_backend=backend_env or "spacy",
        entity_backend_explicit=backend_env is not None,
        batch_size=_int_env(env, "ETL_BATCH_SIZE", DEFAULT_BATCH_SIZE),
        workers=_int_env(env, "ETL_WORKERS", min(2, os.cpu_count() or 1)),
        max_page_bytes=_int_env(env, "ETL_MAX_PAGE_BYTES", DEFAULT_MAX_PAGE_BYTES),
        gc_grace_seconds=_int_env(env, "ETL_GC_GRACE_SECONDS", 600),
        rehash=(env.get("ETL_REHASH") or "").strip().lower() in {"1", "true", "yes"},
    )
    if overrides.get("entity_backend") is not None:
        overrides = {**overrides, "entity_backend_explicit": True}
    return base.with_overrides(**overrides)


def fault_point() -> str | None:
    """Name of the publish step at which to simulate a crash (tests only: ETL_FAULT_POINT)."""
    return os.environ.get("ETL_FAULT_POINT") or None
