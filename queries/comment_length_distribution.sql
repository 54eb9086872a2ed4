-- Question: How long are comments: mostly one-liners, or real discussion?
-- Columns:  length_bucket (characters: 1-19, 20-49, 50-99, 100-199, 200-499, 500+),
--           comments, share_pct (of all comments), median_chars (within the bucket)
-- Run:      etl query --file queries/comment_length_distribution.sql
WITH sized AS (
    SELECT
        length(text) AS chars,
        CASE
            WHEN length(text) < 20 THEN 1
            WHEN length(text) < 50 THEN 2
            WHEN length(text) < 100 THEN 3
            WHEN length(text) < 200 THEN 4
            WHEN length(text) < 500 THEN 5
            ELSE 6
        END AS bucket
    FROM comments
)
SELECT
    ['1-19', '20-49', '50-99', '100-199', '200-499', '500+'][bucket] AS length_bucket,
    count(*)::INTEGER AS comments,
    round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,
    median(chars) AS median_chars
FROM sized
GROUP BY bucket
ORDER BY bucket;
