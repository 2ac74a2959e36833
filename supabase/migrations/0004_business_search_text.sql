-- The folded text GLOBAL search matches terms against (name, description, keywords
-- and the available offerings), kept on the business row instead of being built for
-- every business on every search: that was most of a search's PostgreSQL time.
-- Folding is lower case with accents translated, as in processors/global/tools.ts.

create function x7_business_search_text(business_id text, name text, description text, keywords text[])
returns text
language sql stable as $$
  select translate(lower(name || ' ' || description || ' ' || array_to_string(keywords, ' ') || ' ' ||
           coalesce((select string_agg(o.name || ' ' || o.description || ' ' || array_to_string(o.tags, ' '), ' ')
                       from offerings o where o.business_id = x7_business_search_text.business_id and o.available), '')),
         'áàâãäåéèêëíìîïóòôõöúùûüçñ', 'aaaaaaeeeeiiiiooooouuuucn')
$$;

alter table businesses add column search_text text not null default '';

create function x7_businesses_search_text() returns trigger
language plpgsql as $$
begin
  new.search_text := x7_business_search_text(new.id, new.name, new.description, new.keywords);
  return new;
end;
$$;
create trigger businesses_search_text before insert or update on businesses
  for each row execute function x7_businesses_search_text();

-- An offering added, changed or removed: its business's row is rewritten, so the
-- trigger above folds its text again.
create function x7_offerings_refresh_search_text() returns trigger
language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    update businesses set search_text = '' where id = old.business_id;
  end if;
  if tg_op <> 'DELETE' and (tg_op = 'INSERT' or new.business_id <> old.business_id) then
    update businesses set search_text = '' where id = new.business_id;
  end if;
  return null;
end;
$$;
create trigger offerings_search_text after insert or update or delete on offerings
  for each row execute function x7_offerings_refresh_search_text();

update businesses set search_text = '';
