-- Question: Which entities are talked about together, i.e. mentioned on the same video pages?
-- Columns:  entity_a, entity_b (canonical names, entity_a < entity_b; hashtags, dates and
--           numbers left out), videos (videos mentioning both), example_title (one of them,
--           first by title)
-- Run:      etl query --file queries/entity_co_mentions.sql
WITH per_video AS (
    SELECT DISTINCT video_id, canonical_name
    FROM entities
    WHERE label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT', 'FAC', 'PRODUCT', 'WORK_OF_ART')
)
SELECT
    a.canonical_name AS entity_a,
    b.canonical_name AS entity_b,
    count(*)::INTEGER AS videos,
    min(v.title) AS example_title
FROM per_video a
JOIN per_video b ON a.video_id = b.video_id AND a.canonical_name < b.canonical_name
JOIN videos v ON v.video_id = a.video_id
GROUP BY a.canonical_name, b.canonical_name
ORDER BY videos DESC, entity_a, entity_b
LIMIT 20;
