-- Question: Where do channels send their viewers: which platforms does each channel link to?
-- Columns:  channel ('(no channel)' when the page states none), platform (from the
--           link_platforms seed, 'web' for other sites), links, videos (of the channel linking
--           there), share_pct (of the channel's links)
-- Run:      etl query --file queries/channel_link_platforms.sql
SELECT
    coalesce(v.channel, '(no channel)') AS channel,
    l.platform,
    count(*)::INTEGER AS links,
    count(DISTINCT l.video_id)::INTEGER AS videos,
    round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY coalesce(v.channel, '(no channel)')), 1)
        AS share_pct
FROM links l
JOIN videos v USING (video_id)
GROUP BY coalesce(v.channel, '(no channel)'), l.platform
ORDER BY channel, links DESC, platform;
