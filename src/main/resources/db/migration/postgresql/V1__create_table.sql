CREATE TABLE ${table} (
    ticket       BIGINT        NOT NULL PRIMARY KEY,
    login        BIGINT        NOT NULL,
    volume       NUMERIC(18,4) NOT NULL,
    status       CHAR(1)       NOT NULL DEFAULT 'N',
    received_at  TIMESTAMPTZ   NOT NULL DEFAULT now(),
    processed_at TIMESTAMPTZ   NULL
);
-- only the rows waiting for processing are indexed by status: small, and what the sweep looks for
CREATE INDEX ${table}_waiting ON ${table} (ticket) WHERE status = 'N';
