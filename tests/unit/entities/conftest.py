"""Entity test fixtures: each backend is built once per session (spaCy loads its model once)."""

from __future__ import annotations

import pytest

from etl.entities import EntityBackend, make_backend
from etl.entities.spacy_backend import model_installed


@pytest.fixture(scope="session")
def rules_backend() -> EntityBackend:
    return make_backend("rules")


@pytest.fixture(scope="session")
def spacy_backend() -> EntityBackend:
    if not model_installed():
        pytest.skip("spaCy model package not installed")
    return make_backend("spacy")


@pytest.fixture(scope="session", params=["rules", "spacy"])
def any_backend(
    request: pytest.FixtureRequest,
) -> EntityBackend:
    name: str = request.param
    return request.getfixturevalue(f"{name}_backend")  # type: ignore[no-any-return]
