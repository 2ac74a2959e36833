-- The businesses' inbox: DEDICATED conversations the assistant handed off to a person.
--
-- The hand-off agent (processors/dedicated/handoff.ts) opens a row when a customer
-- asks for a person or no agent could answer. Its id is derived from the event that
-- opened it, so a message processed again opens nothing twice, and a conversation
-- has at most one open hand-off (the partial unique index below). While it is open:
--  - members of the business with the right role (src/handoffs/policy.ts) list it,
--    follow the customer's conversation through the bridge and answer in it;
--  - the agents do not answer the customer there, so no bot reply is interleaved
--    with a person's.
-- Closing it ("close hand-off" from staff in the conversation, or from the dashboard)
-- gives the conversation back to the agents, and every bridge ends the staff's
-- subscriptions to it (the trigger below).
--
-- conversation_id is not a foreign key: the hand-off is opened while its message is
-- processed, before that message's commit writes the conversation row (as with
-- bookings.conversation_id). customer_id, taken_by and closed_by are user ids
-- without foreign keys, like audit_log's: the rows outlive the people they name.
create table handoffs (
  id                       uuid primary key,
  conversation_id          text not null check (btrim(conversation_id) <> ''),
  business_id              text not null references businesses (id) on delete cascade,
  customer_id              text not null check (btrim(customer_id) <> ''),
  -- 'asked': the customer asked for a person; 'unanswered': no agent could answer.
  reason                   text not null check (reason in ('asked', 'unanswered')),
  -- What the customer wrote when it was handed off (its first 500 characters).
  first_message            text not null,
  status                   text not null default 'open' check (status in ('open', 'closed')),
  opened_at                timestamptz not null,
  last_customer_message_at timestamptz not null,
  -- Who took it: the first member who answered in the conversation.
  taken_by                 text check (taken_by is null or btrim(taken_by) <> ''),
  taken_at                 timestamptz,
  closed_by                text check (closed_by is null or btrim(closed_by) <> ''),
  closed_at                timestamptz,
  -- The message that closed it: the same message processed again finds its own close.
  closed_event_id          uuid,
  check ((taken_by is null) = (taken_at is null)),
  check ((status = 'closed') = (closed_at is not null)),
  check (closed_by is null or status = 'closed'),
  check (closed_event_id is null or status = 'closed')
);
create unique index handoffs_one_open_per_conversation on handoffs (conversation_id) where status = 'open';
create index handoffs_open_by_business on handoffs (business_id, opened_at) where status = 'open';

-- Tells every bridge that a conversation's hand-off was closed (or removed), with the
-- conversation's id: the live subscriptions of staff to that conversation are checked
-- again at once and end (migration 0005 does the same for memberships).
create function notify_handoff_changed() returns trigger
language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform pg_notify('x7_handoffs_changed', old.conversation_id);
  elsif old.status is distinct from new.status or old.conversation_id is distinct from new.conversation_id then
    perform pg_notify('x7_handoffs_changed', old.conversation_id);
    if new.conversation_id is distinct from old.conversation_id then
      perform pg_notify('x7_handoffs_changed', new.conversation_id);
    end if;
  end if;
  return null;
end;
$$;

create trigger handoffs_changed
  after update or delete on handoffs
  for each row execute function notify_handoff_changed();

-- Closed to Supabase's Data API like every other table (0001).
alter table handoffs enable row level security;
