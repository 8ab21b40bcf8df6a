-- Which ingestd node may process a row still 'N', and since when (README: Running several nodes).
ALTER TABLE ${table} ADD COLUMN claim BIGINT NULL;
ALTER TABLE ${table} ADD COLUMN claimed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP;
