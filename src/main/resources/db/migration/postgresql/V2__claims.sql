-- Which ingestd node may process a row still 'N', and since when (README: Running several nodes).
ALTER TABLE ${table} ADD COLUMN claim BIGINT NULL, ADD COLUMN claimed_at TIMESTAMPTZ NOT NULL DEFAULT now();
