-- Question: Which videos are discussed the most, and do their pages state more comments than
--           were captured?
-- Columns:  title, channel, comment_count (comments + replies extracted), reply_count,
--           declared_comment_count (what the page says; NULL if nothing), top_entities
-- Run:      etl query --file queries/most_discussed_videos.sql
SELECT
    title,
    channel,
    comment_count,
    reply_count,
    declared_comment_count,
    top_entities
FROM video_overview
ORDER BY comment_count DESC, title
LIMIT 10;
