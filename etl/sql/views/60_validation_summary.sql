-- One row per run: how many expectations it evaluated and how many failed, by severity.
CREATE VIEW validation_summary AS
SELECT
    r.run_id,
    r.status AS run_status,
    r.finished_at,
    count(x.expectation)::INTEGER AS checks,
    count(*) FILTER (WHERE x.success)::INTEGER AS passed,
    count(*) FILTER (WHERE NOT x.success AND x.severity = 'error')::INTEGER AS failed_errors,
    count(*) FILTER (WHERE NOT x.success AND x.severity = 'warning')::INTEGER AS failed_warnings,
    CASE
        WHEN count(*) FILTER (WHERE NOT x.success AND x.severity = 'error') > 0 THEN 'failed'
        WHEN count(*) FILTER (WHERE NOT x.success AND x.severity = 'warning') > 0 THEN 'warnings'
        WHEN count(x.expectation) = 0 THEN 'not validated'
        ELSE 'passed'
    END AS validation_status
FROM runs r
LEFT JOIN validation_results x USING (run_id)
GROUP BY r.run_id, r.status, r.finished_at;
