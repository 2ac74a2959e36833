-- Announcements that reach customers, and reminders the business can see.
--
-- 1. An announcement ("fado night on Thursday") is shown in the business's DEDICATED
--    replies (welcome, hours, menu) and on its GLOBAL cards until it expires, so it
--    needs an end: `expires_at`. The DASHBOARD action sets it (the default lifetime is
--    ANNOUNCEMENT_LIFETIME_DAYS in src/workflows/validate.ts); there is no column
--    default, so an insert that names no end is refused rather than shown forever.
--    Rows posted before this migration get that same lifetime from when they were posted.
--
--    Processors read announcements with the business row they cache
--    (processors/shared/business.ts), so a new, changed or removed announcement
--    notifies the channel of migration 0003 with its business's id: the next message
--    sees it without a query per message. Expiry needs no notification: it is checked
--    against the processor's clock each time a reply is built.
alter table announcements add column expires_at timestamptz;
update announcements set expires_at = created_at + interval '7 days';
alter table announcements alter column expires_at set not null;
alter table announcements add constraint announcements_expire_after_posting check (expires_at > created_at);
create index announcements_active_idx on announcements (business_id, expires_at);

create function notify_announcement_changed() returns trigger
language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    perform pg_notify('x7_business_changed', old.business_id);
  end if;
  if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.business_id is distinct from old.business_id) then
    perform pg_notify('x7_business_changed', new.business_id);
  end if;
  return null;
end;
$$;

create trigger announcements_changed
  after insert or update or delete on announcements
  for each row execute function notify_announcement_changed();

-- 2. When the reservation workflow reminded the customer (src/workflows/activities.ts,
--    sendReminder): the DASHBOARD's booking cards say "Reminder: sent …", so staff
--    know who has been reminded. Null: not (yet) reminded.
alter table bookings add column reminder_sent_at timestamptz;
