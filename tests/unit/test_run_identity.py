"""Partition keys: explicit key, else logical date, else fallback; path-safe always."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from etl.errors import UsageError
from etl.pipeline import logical_timestamp, run_id_for


def test_midnight_logical_date_is_a_plain_date() -> None:
    assert run_id_for(logical_date=date(2024, 5, 1)) == "2024-05-01"
    assert run_id_for(logical_date=datetime(2024, 5, 1, tzinfo=UTC)) == "2024-05-01"


def test_hourly_logical_date_keeps_the_time() -> None:
    assert run_id_for(logical_date=datetime(2024, 5, 1, 13, tzinfo=UTC)) == "2024-05-01T130000Z"


def test_timezone_is_normalised_to_utc() -> None:
    cet = timezone(timedelta(hours=2))
    assert run_id_for(logical_date=datetime(2024, 5, 1, 2, tzinfo=cet)) == "2024-05-01"


def test_explicit_key_wins_and_is_sanitised() -> None:
    assert (
        run_id_for(explicit="backfill 2024/05", logical_date=date(2024, 5, 1)) == "backfill-2024-05"
    )


def test_fallback_airflow_run_id_is_sanitised() -> None:
    rid = run_id_for(fallback="manual__2024-05-01T10:00:00+00:00")
    assert rid == "manual__2024-05-01T10-00-00-00-00"


def test_nothing_to_go_on_is_an_error() -> None:
    with pytest.raises(UsageError):
        run_id_for()
    with pytest.raises(UsageError):
        run_id_for(explicit="///")


def test_logical_timestamp_prefers_the_logical_date() -> None:
    started = datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert logical_timestamp(date(2024, 5, 1), started) == datetime(2024, 5, 1)
    assert logical_timestamp(None, started) == datetime(2030, 1, 1, 12)
