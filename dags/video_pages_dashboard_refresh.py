"""
### video_pages_dashboard_refresh

Example of a DAG scheduled on **data, not time**: it runs whenever `video_pages_etl` publishes
the `videos` table (asset `video_pages.videos`) and rewrites the warehouse's HTML report
(`<warehouse>/report/index.html`, the same as `etl report`).

Several publishes before it starts are folded into one run. The warehouse comes from
`ETL_WAREHOUSE` (else ./warehouse), as for `video_pages_etl`; the triggering asset events carry
the publishing run's id, status, generation and row count in their `extra`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task


@task(
    retries=2,
    retry_delay=pendulum.duration(seconds=30),
    retry_exponential_backoff=2.0,
    multiple_outputs=False,
)
def rebuild_report() -> str:
    """Bring the catalog up to date and rewrite the report; returns its path."""
    from etl import orchestration

    return orchestration.refresh_dashboard()


@dag(
    dag_id="video_pages_dashboard_refresh",
    schedule=Asset.ref(name="video_pages.videos"),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-platform"},
    tags=["video-pages", "dashboard"],
    doc_md=__doc__,
)
def video_pages_dashboard_refresh() -> None:
    rebuild_report()


video_pages_dashboard_refresh()
