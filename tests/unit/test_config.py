"""config: settings from the environment and overrides; clear errors for bad values."""

from __future__ import annotations

import pytest

from etl.config import settings_from_env
from etl.errors import ConfigError


def test_environment_sets_defaults() -> None:
    s = settings_from_env(
        {
            "ETL_INPUT": "/in",
            "ETL_WAREHOUSE": "/wh",
            "ETL_ENTITIES": "rules",
            "ETL_BATCH_SIZE": "50",
        }
    )
    assert (s.input, s.warehouse, s.entity_backend, s.batch_size) == ("/in", "/wh", "rules", 50)
    assert s.entity_backend_explicit


def test_overrides_win_and_none_is_ignored() -> None:
    s = settings_from_env({"ETL_INPUT": "/in"}, input="/cli", warehouse=None)
    assert s.input == "/cli"
    assert s.warehouse.endswith("warehouse")


def test_default_backend_is_implicit() -> None:
    s = settings_from_env({})
    assert s.entity_backend == "spacy" and not s.entity_backend_explicit


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ETL_ENTITIES": "bert"}, "unknown entity backend"),
        ({"ETL_BATCH_SIZE": "many"}, "ETL_BATCH_SIZE must be an integer"),
        ({"ETL_BATCH_SIZE": "0"}, "batch size"),
        ({"ETL_WORKERS": "0"}, "workers"),
    ],
)
def test_bad_values_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)
