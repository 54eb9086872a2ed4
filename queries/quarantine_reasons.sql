-- Question: Which pages could not be published, and why?
-- Columns:  reason_code, pages (currently quarantined for it), latest_message (an example),
--           last_quarantined_at
-- Run:      etl query --file queries/quarantine_reasons.sql
SELECT reason_code, pages, latest_message, last_quarantined_at
FROM quarantine_summary
ORDER BY pages DESC, reason_code;
