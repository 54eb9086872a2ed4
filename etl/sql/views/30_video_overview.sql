-- One row per current video: its counts, the platforms it links to and its top entities.
CREATE VIEW video_overview AS
WITH entity_counts AS (
    SELECT video_id, canonical_name, label, count(*) AS mentions
    FROM entities
    GROUP BY video_id, canonical_name, label
),
entity_totals AS (
    SELECT
        video_id,
        sum(mentions)::INTEGER AS entity_mentions,
        count(*)::INTEGER AS distinct_entities
    FROM entity_counts
    GROUP BY video_id
),
-- The 5 most mentioned names (ties: by name), ranked by a window and listed afterwards: an
-- ordered list() of every name of every video did not fit in the catalog build's memory limit
-- at 1,000,000 pages (the window spills; that aggregate state does not).
entity_top AS (
    SELECT video_id, list(canonical_name ORDER BY rank) AS top_entities
    FROM (
        SELECT
            video_id,
            canonical_name,
            row_number() OVER (
                PARTITION BY video_id ORDER BY mentions DESC, canonical_name
            ) AS rank
        FROM entity_counts
        WHERE label <> 'HASHTAG'
        QUALIFY rank <= 5
    )
    GROUP BY video_id
),
entity_rollup AS (
    SELECT t.video_id, t.entity_mentions, t.distinct_entities, p.top_entities
    FROM entity_totals t
    LEFT JOIN entity_top p USING (video_id)
),
link_rollup AS (
    SELECT video_id, list(DISTINCT platform ORDER BY platform) AS link_platforms
    FROM links
    GROUP BY video_id
),
reply_rollup AS (
    SELECT video_id, count(*)::INTEGER AS reply_count
    FROM comments
    WHERE parent_comment_id IS NOT NULL
    GROUP BY video_id
)
SELECT
    v.video_id,
    v.page_id,
    v.title,
    v.channel,
    v.layout,
    v.published_text,
    v.comment_count,
    v.declared_comment_count,
    coalesce(r.reply_count, 0)::INTEGER AS reply_count,
    v.link_count,
    coalesce(l.link_platforms, []::VARCHAR[]) AS link_platforms,
    coalesce(e.entity_mentions, 0)::INTEGER AS entity_mentions,
    coalesce(e.distinct_entities, 0)::INTEGER AS distinct_entities,
    coalesce(e.top_entities, []::VARCHAR[]) AS top_entities,
    v.hashtags,
    v.ingested_at,
    v.run_id
FROM videos v
LEFT JOIN entity_rollup e USING (video_id)
LEFT JOIN link_rollup l USING (video_id)
LEFT JOIN reply_rollup r USING (video_id);
