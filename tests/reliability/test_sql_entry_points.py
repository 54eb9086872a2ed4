"""Promise 5: `etl query` is read-only and confined to the warehouse.

Every statement below goes through the real command in a subprocess. Each must be refused with
exit 2 and one clear line on stderr, print nothing on stdout, leave every warehouse file as it
was, and create no file outside it. A plain SELECT is the control that the harness can pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.support import etl, run_args, tree_digest, write_corpus

pytestmark = pytest.mark.slow

READ_ONLY = "read-only mode"
NO_FILES = "file system operations are disabled by configuration"
LOCKED = "the configuration has been locked"

# (statement, what the refusal must say); {out} is a path outside the warehouse.
HOSTILE = [
    ("CREATE TABLE stolen AS SELECT * FROM videos", READ_ONLY),
    ("DROP VIEW videos", READ_ONLY),
    ("UPDATE _catalog_meta SET generation = 0", READ_ONLY),
    ("CREATE OR REPLACE VIEW videos AS SELECT 1 AS x", READ_ONLY),
    ("SELECT 1; DROP VIEW quarantine", READ_ONLY),
    ("INSERT INTO videos SELECT * FROM videos", "videos is not an table"),
    ("ATTACH '{out}/other.duckdb' AS other", NO_FILES),
    ("COPY (SELECT * FROM videos) TO '{out}/videos.csv'", NO_FILES),
    ("EXPORT DATABASE '{out}/export'", NO_FILES),
    ("SELECT * FROM read_csv('/etc/passwd')", NO_FILES),
    ("SELECT * FROM read_text('/etc/hostname')", NO_FILES),
    ("SELECT * FROM read_blob('{out}/secret.txt')", NO_FILES),
    ("SELECT * FROM read_text('tables/../../secret.txt')", NO_FILES),
    ("SELECT * FROM glob('/*')", NO_FILES),
    ("SELECT * FROM '/etc/passwd'", "does not exist"),
    ("INSTALL httpfs", NO_FILES),
    ("LOAD httpfs", "disabled through configuration"),
    ("SET enable_external_access = true", LOCKED),
    ("SET file_search_path = '/'", LOCKED),
    ("RESET allowed_directories", LOCKED),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sql")
    write_corpus(root / "landing")
    (root / "secret.txt").write_text("not for queries\n")
    result = etl(*run_args(root / "landing", root / "warehouse"))
    assert result.returncode == 0, result.stderr
    return root / "warehouse"


def test_a_plain_select_works(warehouse: Path) -> None:
    result = etl("query", "--warehouse", str(warehouse), "--format", "csv", "SELECT 41 + 1 AS n")
    assert (result.returncode, result.stdout) == (0, "n\n42\n"), result.stderr


@pytest.mark.parametrize(("template", "says"), HOSTILE)
def test_hostile_statement_is_refused(template: str, says: str, warehouse: Path) -> None:
    outside = warehouse.parent
    sql = template.format(out=outside)
    before = tree_digest(warehouse)
    outside_before = sorted(p.name for p in outside.iterdir())

    result = etl("query", "--warehouse", str(warehouse), sql)

    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("etl: query refused or failed: ") and says in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert tree_digest(warehouse) == before
    assert sorted(p.name for p in outside.iterdir()) == outside_before
