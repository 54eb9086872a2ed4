"""Promise 6: the reconciliation the other tests rely on finds every kind of loss or duplication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.check import PageCount, Reconciliation, compare, format_reconciliation
from tests.reliability.support import etl, run_args, variant, write_corpus


def test_compare_reports_missing_both_duplicated_and_extra_pages() -> None:
    counts = [
        PageCount("published", 1, 0),
        PageCount("quarantined", 0, 1),
        PageCount("both", 1, 1),
        PageCount("twice", 2, 0),
        PageCount("old_page", 1, 0),
    ]
    result = compare(
        ["published", "quarantined", "both", "twice", "lost"],
        counts,
        manifest_generation=3,
        catalog_generation=2,
    )
    assert result == Reconciliation(
        input_pages=5,
        published=1,
        quarantined=1,
        missing=("lost",),
        in_both=("both",),
        duplicated=("twice",),
        not_in_input=("old_page",),
        manifest_generation=3,
        catalog_generation=2,
    )
    assert not result.ok and not result.catalog_current
    report = format_reconciliation(result)
    assert report.startswith("check: FAILED — 5 input pages: 1 published, 1 quarantined, 1 missing")
    for text in ("'lost'", "'both'", "'twice'", "1 warehouse pages are not in this input"):
        assert text in report
    assert "generation 2, the manifest at 3" in report


def test_compare_of_a_clean_warehouse_is_ok() -> None:
    result = compare(["a", "b"], [PageCount("a", 1, 0), PageCount("b", 0, 1)])
    assert result.ok and (result.published, result.quarantined) == (1, 1)
    assert format_reconciliation(result).startswith("check: ok — 2 input pages")


def test_compare_lists_at_most_twenty_ids() -> None:
    result = compare([f"p{n:03d}" for n in range(50)], [])
    line = format_reconciliation(result).splitlines()[1]
    assert "'p019'" in line and "'p020'" not in line and "(30 more)" in line


@pytest.mark.slow
def test_etl_check_catches_a_missing_page_and_a_duplicated_file(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    write_corpus(landing)
    assert etl(*run_args(landing, warehouse)).returncode == 0
    ok = etl("check", "--input", str(landing), "--warehouse", str(warehouse))
    assert (ok.returncode, ok.stdout.splitlines()[0]) == (
        0,
        "check: ok — 7 input pages: 4 published, 3 quarantined, 0 missing, "
        "0 both published and quarantined, 0 duplicated",
    )

    (landing / "arrived_later.txt").write_text(variant(99))
    missing = etl("check", "--input", str(landing), "--warehouse", str(warehouse))
    assert missing.returncode == 1
    assert "missing (in neither videos nor quarantine): 'arrived_later'" in missing.stdout

    manifest_path = warehouse / "_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    videos = manifest["partitions"]["2024-05-01"]["videos"]
    manifest["partitions"]["2024-05-01"]["videos"] = videos + videos  # a corrupt commit
    manifest_path.write_text(json.dumps(manifest))
    (landing / "arrived_later.txt").unlink()
    duplicated = etl("check", "--input", str(landing), "--warehouse", str(warehouse))
    assert duplicated.returncode == 1
    assert "4 duplicated" in duplicated.stdout.splitlines()[0]
    assert "generation" not in duplicated.stdout  # same generation: the catalog is current

    nowhere = etl("check", "--input", str(landing), "--warehouse", str(tmp_path / "nope"))
    assert nowhere.returncode == 2 and "no warehouse at" in nowhere.stderr
