CREATE TABLE ${table} (
    ticket       BIGINT        NOT NULL PRIMARY KEY,
    login        BIGINT        NOT NULL,
    volume       DECIMAL(18,4) NOT NULL,
    status       CHAR(1)       NOT NULL DEFAULT 'N',
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    processed_at TIMESTAMP WITH TIME ZONE NULL
);
CREATE INDEX ${table}_status ON ${table} (status);
