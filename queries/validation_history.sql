-- Question: How did each run go: what did it publish or quarantine, and did validation pass?
-- Columns:  run_id, status (published / validation_failed / nothing_to_do), attempt,
--           pages_published, pages_quarantined, checks, failed_errors, failed_warnings,
--           validation_status (passed / warnings / failed / not validated), finished_at
-- Run:      etl query --file queries/validation_history.sql
SELECT
    r.run_id,
    r.status,
    r.attempt,
    r.pages_published,
    r.pages_quarantined,
    s.checks,
    s.failed_errors,
    s.failed_warnings,
    s.validation_status,
    r.finished_at
FROM runs r
JOIN validation_summary s USING (run_id)
ORDER BY r.run_id;
