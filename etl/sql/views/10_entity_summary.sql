-- One row per canonical entity: how often and where it is mentioned (dashboards chart this).
CREATE VIEW entity_summary AS
SELECT
    e.canonical_name,
    e.label,
    count(*)::INTEGER AS mentions,
    count(DISTINCT e.video_id)::INTEGER AS videos,
    min(v.ingested_at) AS first_seen,
    max(v.ingested_at) AS last_seen
FROM entities e
JOIN videos v USING (video_id)
GROUP BY e.canonical_name, e.label;
