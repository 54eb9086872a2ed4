"""Session fixtures for the Airflow tests: one migrated AIRFLOW_HOME, one landing folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.dags.airflow_support import BIN, SEED_PAGES, airflow_env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite metadata database per test session (about 3 s)."""
    home = tmp_path_factory.mktemp("airflow_home")
    proc = subprocess.run(
        [str(BIN / "airflow"), "db", "migrate"],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return home


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pages of seeds/pages (every family, plus pages that are quarantined) and an empty
    file: enough for three batches of five without making each Airflow run slower."""
    folder = tmp_path_factory.mktemp("landing")
    for page in SEED_PAGES.glob("*.txt"):
        (folder / page.name).write_bytes(page.read_bytes())
    (folder / "zz_empty_page.txt").write_bytes(b"")
    return folder
