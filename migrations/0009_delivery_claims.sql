-- Several `serve` processes may share one database. A pending delivery is claimed by the one
-- that sends it, for a lease: no other process takes it while the lease holds, and if its owner
-- dies mid-send, another takes it when the lease runs out and sends it again with the same
-- nonce, which Discord deduplicates. NULL: nobody holds it.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_until TEXT;
