-- Which ingestd node may process a row still 'N', and since when (README: Running several nodes). The inserting
-- node holds the claim; another node takes a row over only once the claim is older than the lease, by an UPDATE
-- that a Galera cluster certifies like any write (row locks alone are local to one database node).
ALTER TABLE ${table} ADD COLUMN claim BIGINT NULL DEFAULT NULL,
    ADD COLUMN claimed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3);
