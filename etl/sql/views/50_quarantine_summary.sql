-- One row per quarantine reason among pages whose latest state is quarantined.
CREATE VIEW quarantine_summary AS
SELECT
    reason_code,
    count(*)::INTEGER AS pages,
    max(quarantined_at) AS last_quarantined_at,
    arg_max(message, quarantined_at) AS latest_message
FROM quarantine
GROUP BY reason_code;
