"""DAG files are cheap to parse: no etl, pandas, pyarrow, duckdb, GX or spaCy import at top level.

The scheduler's DAG processor re-parses every DAG file continuously; the heavy libraries belong
inside the task bodies, which only a worker runs. ``python -X importtime`` lists every module the
file's top level imports, transitively.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.dags.airflow_support import DAGS_FOLDER, airflow_env

FORBIDDEN = ("etl", "pandas", "pyarrow", "duckdb", "great_expectations", "spacy")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]


def imported_modules(dag_file: Path, home: Path) -> list[str]:
    """Every module imported while executing ``dag_file``'s top level."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(dag_file)],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]


@pytest.mark.parametrize("dag_file", sorted(DAGS_FOLDER.glob("*.py")), ids=lambda p: p.name)
def test_dag_file_imports_no_heavy_modules(dag_file: Path, tmp_path: Path) -> None:
    modules = imported_modules(dag_file, tmp_path)
    assert "airflow.sdk" in modules  # the measurement saw the file's imports at all
    heavy = sorted({m for m in modules if m.split(".")[0] in FORBIDDEN})
    assert heavy == [], f"{dag_file.name} imports at parse time: {heavy}"
