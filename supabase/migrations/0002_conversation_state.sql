-- Conversation state of record and the replay cache of processed events.
--
-- The processor keeps each conversation's small state (recent turns, agent memory,
-- the open task) here rather than in Redis: it is written in the same PostgreSQL
-- transaction as the messages it describes, just before the Kafka transaction that
-- commits the inbound offset, so a crash of any cache loses nothing whose offset is
-- committed. `version` is an optimistic lock: a processor that lost the partition in
-- a rebalance cannot overwrite what the new owner wrote.

create table conversation_state (
  conversation_id  text primary key,
  state            jsonb not null,
  version          bigint not null check (version > 0),
  -- The inbound record last applied: a redelivered record at or before it is a replay.
  last_partition   integer not null,
  last_offset      bigint not null,
  -- The last few inbound eventIds applied, for producer-side duplicates at a new offset.
  recent_event_ids jsonb not null default '[]'::jsonb,
  updated_at       timestamptz not null default now()
);
create index conversation_state_updated_idx on conversation_state (updated_at);

-- What each processed inbound event produced, so that an event processed again (its
-- state committed here, its Kafka transaction not) yields the very same outputs.
create table processed_events (
  event_id        uuid primary key,
  conversation_id text not null,
  outputs         jsonb not null,
  processed_at    timestamptz not null default now()
);
create index processed_events_processed_at_idx on processed_events (processed_at);
