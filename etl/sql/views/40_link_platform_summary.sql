-- One row per link platform (youtube, facebook, ..., 'web' for any other site): how often
-- current pages link to it, from how many videos and channels, and its most linked domain.
CREATE VIEW link_platform_summary AS
WITH domain_counts AS (
    SELECT platform, domain, count(*) AS n FROM links GROUP BY platform, domain
)
SELECT
    l.platform,
    count(*)::INTEGER AS links,
    count(DISTINCT l.video_id)::INTEGER AS videos,
    count(DISTINCT v.channel)::INTEGER AS channels,
    count(DISTINCT l.domain)::INTEGER AS domains,
    (SELECT first(d.domain ORDER BY d.n DESC, d.domain) FROM domain_counts d
     WHERE d.platform = l.platform) AS top_domain,
    round(100.0 * count(*) / sum(count(*)) OVER (), 2)::DOUBLE AS share_of_links_pct
FROM links l
JOIN videos v USING (video_id)
GROUP BY l.platform;
