-- Tells every bridge that a user's memberships changed, with the user's id: their
-- live subscriptions to dashboard conversations are checked again at once, so a
-- member removed from a business stops receiving its dashboard within seconds.
create function notify_member_changed() returns trigger
language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    perform pg_notify('x7_members_changed', old.user_id);
  end if;
  if tg_op <> 'DELETE' then
    perform pg_notify('x7_members_changed', new.user_id);
  end if;
  return null;
end;
$$;

create trigger members_changed
  after insert or update or delete on members
  for each row execute function notify_member_changed();
