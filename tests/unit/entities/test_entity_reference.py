"""The alias seed is tidy (it is published), and a broken one fails with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.entities.names import name_key
from etl.entities.reference import ALIAS_LABELS, gazetteer_names, read_alias_seed
from etl.entities.settings import default_alias_path
from etl.errors import ConfigError


def test_alias_seed_is_tidy() -> None:
    names = read_alias_seed(default_alias_path())
    assert len(names) > 50
    # spelling variants ("Erdogan", "Erdoğan") are separate rows because the rules backend matches
    # surfaces exactly, but they must agree on the canonical name
    canonical_by_key: dict[str, str] = {}
    for n in names:
        assert (
            canonical_by_key.setdefault(name_key(n.surface), n.canonical_name) == n.canonical_name
        )
    canonical_labels: dict[str, str] = {}
    for n in names:
        assert n.label in ALIAS_LABELS
        assert canonical_labels.setdefault(n.canonical_name, n.label) == n.label
    # every canonical name is itself a known surface (seed or gazetteer), so it round-trips
    known = {n.surface for n in names} | {n.canonical_name for n in gazetteer_names(250_000)}
    assert {n.canonical_name for n in names} <= known
    # kept sorted by (label, canonical_name, alias) so diffs of the published table stay small
    rows = [(n.label, n.canonical_name, n.surface) for n in names]
    assert rows == sorted(rows)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("name,label\nIran,GPE\n", "header"),
        ("alias,canonical_name,label\nIran,Iran,COUNTRY\n", "label"),
        ("alias,canonical_name,label\nIran,Iran,GPE\nIran,Iran,GPE\n", "duplicate"),
        ("alias,canonical_name,label\n Iran,Iran,GPE\n", "trimmed"),
    ],
)
def test_bad_alias_seed(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        read_alias_seed(path)


def test_missing_alias_seed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        read_alias_seed(tmp_path / "nope.csv")
