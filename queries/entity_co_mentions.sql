-- Question: Which entities are talked about together, i.e. mentioned on the same video pages?
-- Columns:  entity_a, entity_b (canonical names, entity_a < entity_b; hashtags, dates and
--           numbers left out), videos (videos mentioning both), co_mentions (per video the
--           smaller of the two mention counts, summed: how strongly they go together),
--           example_title (one such video, first by title)
-- Run:      etl query --file queries/entity_co_mentions.sql
WITH per_video AS (
    SELECT video_id, canonical_name, count(*) AS mentions
    FROM entities
    WHERE label IN ('PERSON', 'ORG', 'GPE', 'LOC', 'NORP', 'EVENT', 'FAC', 'PRODUCT', 'WORK_OF_ART')
    GROUP BY video_id, canonical_name
)
SELECT
    a.canonical_name AS entity_a,
    b.canonical_name AS entity_b,
    count(*)::INTEGER AS videos,
    sum(least(a.mentions, b.mentions))::INTEGER AS co_mentions,
    min(v.title) AS example_title
FROM per_video a
JOIN per_video b ON a.video_id = b.video_id AND a.canonical_name < b.canonical_name
JOIN videos v ON v.video_id = a.video_id
GROUP BY a.canonical_name, b.canonical_name
ORDER BY videos DESC, co_mentions DESC, entity_a, entity_b
LIMIT 20;
