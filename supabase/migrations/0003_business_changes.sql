-- Tells every listening processor that a business row changed, so the copies it
-- caches (the business a conversation is about, the catalog of names) are dropped at
-- once: a management action (pause bookings, new hours) is seen by the very next
-- message, whoever made the change (the worker's activity, an operator's SQL).
-- NOTIFY is delivered when the changing transaction commits, never before.
create function notify_business_changed() returns trigger
language plpgsql as $$
begin
  perform pg_notify('x7_business_changed', coalesce(new.id, old.id));
  return null;
end;
$$;

create trigger businesses_changed
  after insert or update or delete on businesses
  for each row execute function notify_business_changed();
