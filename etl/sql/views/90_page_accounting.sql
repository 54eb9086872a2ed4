-- One row per page the warehouse knows: how often it appears in current videos and in current
-- quarantine. Each page must appear exactly once in total (`etl check` joins this with the input).
CREATE VIEW page_accounting AS
SELECT
    page_id,
    count(*) FILTER (WHERE kind = 'published')::INTEGER AS video_count,
    count(*) FILTER (WHERE kind = 'quarantined')::INTEGER AS quarantine_count
FROM (
    SELECT page_id, 'published' AS kind FROM videos
    UNION ALL
    SELECT page_id, 'quarantined' AS kind FROM quarantine
)
GROUP BY page_id;
