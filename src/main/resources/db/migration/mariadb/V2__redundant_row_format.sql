-- Processing sets processed_at from NULL to a time. In InnoDB's default (DYNAMIC) row format a NULL takes no
-- space, so that update grows every row and InnoDB rewrites it instead of updating it in place; in REDUNDANT
-- format a fixed-size column keeps its bytes while NULL, and the update is in place. Measured on 400,000 rows,
-- 1,000 per statement: 80,000 rows/s (DYNAMIC) against 148,000 rows/s (REDUNDANT); loading was 5% slower.
-- On an existing table this rebuilds it once (minutes for hundreds of millions of rows).
ALTER TABLE ${table} ROW_FORMAT=REDUNDANT;
