-- Version 17: per-site usage and limits (docs/architecture.md §15).
-- site_limits: an admin's override of the runner's memory and CPUs and the database size cap; a column left NULL takes
-- the default (the runtime.* settings; no cap). Written by ChangeLimits' save-limits step.
CREATE TABLE site_limits (
    site_id          uuid PRIMARY KEY REFERENCES sites (id),
    memory_mb        integer CHECK (memory_mb > 0),
    cpus             double precision CHECK (cpus > 0),
    database_cap_mb  integer CHECK (database_cap_mb > 0),
    updated_at       timestamptz NOT NULL
);

-- site_usage: the newest sample per site, one row (the worker's collector overwrites it; Prometheus keeps the history
-- of the /metrics series). The request counters only grow: the manager's embedded proxy adds what it counted since its
-- last flush. A NULL measure has its reason beside it.
CREATE TABLE site_usage (
    site_id          uuid PRIMARY KEY REFERENCES sites (id),
    sampled_at       timestamptz,
    database_bytes   bigint,
    database_reason  text,
    files_bytes      bigint,
    files_reason     text,
    cpu_seconds      double precision,
    cpu_ratio        double precision,
    memory_bytes     bigint,
    runner_reason    text,
    requests         bigint NOT NULL DEFAULT 0,
    errors_5xx       bigint NOT NULL DEFAULT 0,
    traffic_at       timestamptz
);
