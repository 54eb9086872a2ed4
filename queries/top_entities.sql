-- Question: Which people, organisations and places are mentioned most (hashtags left out)?
-- Columns:  canonical_name, label (PERSON, ORG, GPE, ...), mentions (all mentions),
--           videos (distinct videos mentioning it)
-- Run:      etl query --file queries/top_entities.sql
SELECT canonical_name, label, mentions, videos
FROM entity_summary
WHERE label <> 'HASHTAG'
ORDER BY mentions DESC, canonical_name
LIMIT 10;
