-- Announcements go out in order per channel: a channel's next delivery waits until the one
-- before it is sent or dropped. This index finds a channel's oldest pending delivery.
CREATE INDEX deliveries_channel_pending ON deliveries (channel_id, id) WHERE status = 'pending';
