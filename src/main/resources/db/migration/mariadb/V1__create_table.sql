CREATE TABLE ${table} (
    ticket       BIGINT        NOT NULL PRIMARY KEY,
    login        BIGINT        NOT NULL,
    volume       DECIMAL(18,4) NOT NULL,
    status       CHAR(1)       NOT NULL DEFAULT 'N',
    received_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    processed_at TIMESTAMP(3)  NULL DEFAULT NULL,
    KEY ${table}_status (status)
) ENGINE=InnoDB;
