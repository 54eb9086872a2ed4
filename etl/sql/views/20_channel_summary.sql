-- One row per channel: how much each channel's videos are discussed and link out.
-- Pages that state no channel are grouped under '(no channel)' so totals add up in dashboards.
CREATE VIEW channel_summary AS
WITH mentions AS (
    SELECT video_id, count(*) AS mentions FROM entities GROUP BY video_id
)
SELECT
    coalesce(v.channel, '(no channel)') AS channel,
    count(*)::INTEGER AS videos,
    sum(v.comment_count)::BIGINT AS comments,
    sum(v.link_count)::BIGINT AS links,
    coalesce(sum(m.mentions), 0)::BIGINT AS entity_mentions,
    round(avg(v.comment_count), 2)::DOUBLE AS avg_comments_per_video,
    max(v.comment_count)::INTEGER AS max_comments_per_video,
    min(v.ingested_at) AS first_ingested_at,
    max(v.ingested_at) AS last_ingested_at
FROM videos v
LEFT JOIN mentions m USING (video_id)
GROUP BY coalesce(v.channel, '(no channel)');
