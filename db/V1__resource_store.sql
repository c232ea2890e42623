-- Kubernetes objects of every kind we serve, and the history that watches and consistent lists read.
--
-- resourceVersion: one global counter for all kinds. A writer increments it as the last statement of its
-- transaction; the row lock is held until COMMIT, so revisions become visible strictly in commit order and
-- a watcher reading "events after N" never skips a revision that commits later (kine's gap problem).

CREATE TABLE revision_counter (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    value     bigint  NOT NULL
);
INSERT INTO revision_counter (singleton, value) VALUES (true, 1);

COMMENT ON TABLE revision_counter IS
  'The last resourceVersion handed out. Incremented once per committed write transaction.';

CREATE TABLE resources (
    resource         text        COLLATE "C" NOT NULL,              -- plural, e.g. spiderippools
    namespace        text        COLLATE "C" NOT NULL DEFAULT '',   -- '' for cluster-scoped kinds
    name             text        COLLATE "C" NOT NULL,
    uid              uuid        NOT NULL UNIQUE,
    resource_version bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    deleting         boolean     NOT NULL DEFAULT false,            -- metadata.deletionTimestamp is set
    body             jsonb       NOT NULL,                          -- the object as stored (no projected status)
    PRIMARY KEY (resource, namespace, name)
);

COMMENT ON TABLE resources IS
  'Current state of every object of spiderpool.spidernet.io/v2beta1. body is the JSON object; fields that are '
  'projections of other tables (SpiderIPPool status) are computed when read.';

CREATE TABLE resource_events (
    resource_version bigint      PRIMARY KEY,
    resource         text        COLLATE "C" NOT NULL,
    namespace        text        COLLATE "C" NOT NULL,
    name             text        COLLATE "C" NOT NULL,
    event_type       text        NOT NULL CHECK (event_type IN ('ADDED', 'MODIFIED', 'DELETED')),
    body             jsonb       NOT NULL,                          -- the object as served at this revision
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resource_events_by_resource ON resource_events (resource, resource_version);
-- Lists at a past revision and compaction look up the history of one object.
CREATE INDEX resource_events_by_object ON resource_events (resource, namespace, name, resource_version);
CREATE INDEX resource_events_by_time ON resource_events (recorded_at);

COMMENT ON TABLE resource_events IS
  'Append-only watch history, written in the same transaction as the change. Compacted after a retention '
  'window; watches from an older resourceVersion get 410 Expired.';

-- The oldest revision still fully covered by resource_events (compaction moves it forward).
CREATE TABLE compaction_state (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    compacted_before bigint  NOT NULL
);
INSERT INTO compaction_state (singleton, compacted_before) VALUES (true, 0);
