-- x7-stream: the relational model behind the three chat flows.
--
-- Plain SQL that runs on any PostgreSQL >= 13 and on Supabase: no extensions
-- (gen_random_uuid() is core since PG13). `x7 db migrate` runs this file in one
-- transaction and records its checksum; never edit it once applied anywhere,
-- add 0002_….sql instead.
--
-- Identity: user ids are the `sub` of the caller's JWT, issued by an identity
-- provider we do not own. Only `members` (and `announcements.created_by`) point at
-- `users` with a foreign key, because a role must belong to a known person; a
-- consumer may chat, book and be audited before we hold a profile for them.

-- ---------------------------------------------------------------------------
-- helpers

-- True when tz is a time zone name PostgreSQL knows (IANA, e.g. Europe/Lisbon).
-- A function because CHECK constraints may not hold sub-queries.
create function x7_is_time_zone(tz text) returns boolean
language plpgsql stable as $$
begin
  perform now() at time zone tz;
  return true;
exception when invalid_parameter_value then
  return false;
end;
$$;

-- Keeps updated_at honest without relying on every writer to set it.
create function x7_touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- ---------------------------------------------------------------------------
-- businesses and what they offer

create table businesses (
  id                 text primary key
                     check (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),   -- readable slug, e.g. lis-taberna-do-largo
  name               text not null check (btrim(name) <> ''),
  -- A closed set: agents are chosen by category, so an unknown one would route nowhere.
  category           text not null check (category in
                       ('restaurant', 'cafe', 'bakery', 'bar', 'salon', 'barber', 'spa', 'clinic', 'dentist', 'gym')),
  description        text not null default '',
  keywords           text[] not null default '{}',
  address            text not null,
  city               text not null,
  lat                double precision not null check (lat between -90 and 90),
  lon                double precision not null check (lon between -180 and 180),
  timezone           text not null check (x7_is_time_zone(timezone)),
  price_level        smallint not null check (price_level between 1 and 4),
  rating             numeric(2,1) check (rating between 0 and 5),      -- null: not rated yet
  review_count       integer not null default 0 check (review_count >= 0),
  phone              text,
  accepting_bookings boolean not null default true,
  capacity_per_slot  integer not null check (capacity_per_slot > 0),  -- seats (tables) or chairs per slot
  slot_minutes       integer not null check (slot_minutes between 5 and 480),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create index businesses_category_idx on businesses (category);
create index businesses_city_idx on businesses (city);
create index businesses_keywords_idx on businesses using gin (keywords);
create trigger businesses_touch before update on businesses
  for each row execute function x7_touch_updated_at();

-- Opening hours in the business's own time zone (businesses.timezone), ISO weekday
-- 1 = Monday … 7 = Sunday. A day may have several intervals (lunch and dinner).
-- An interval that ends after midnight is stored as it is read on the door:
-- closes < opens (or closes = 00:00) means it closes on the NEXT day, and the row
-- belongs to the weekday it opens on, e.g. Fri 22:00–02:00 is weekday 5,
-- opens 22:00, closes 02:00. Open all day is 00:00–24:00. A weekday without rows
-- is closed. See business_open_at() below for the rule in code.
create table opening_hours (
  business_id text not null references businesses (id) on delete cascade,
  weekday     smallint not null check (weekday between 1 and 7),
  opens       time not null,
  closes      time not null,
  primary key (business_id, weekday, opens),
  check (opens <> closes),
  check (opens < time '24:00')
);

-- Menu items (restaurants, cafés, bakeries, bars), services (salons, clinics …)
-- and retail products.
create table offerings (
  id               uuid primary key default gen_random_uuid(),
  business_id      text not null references businesses (id) on delete cascade,
  kind             text not null check (kind in ('menu_item', 'service', 'product')),
  name             text not null check (btrim(name) <> ''),
  description      text not null default '',
  price_cents      integer not null check (price_cents >= 0),
  currency         text not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
  -- A service takes time in the calendar; a dish or a product does not.
  duration_minutes integer check (duration_minutes > 0),
  tags             text[] not null default '{}',
  available        boolean not null default true,
  created_at       timestamptz not null default now(),
  unique (business_id, name),
  check (kind <> 'service' or duration_minutes is not null)
);
create index offerings_tags_idx on offerings using gin (tags);

create table faqs (
  id          uuid primary key default gen_random_uuid(),
  business_id text not null references businesses (id) on delete cascade,
  question    text not null check (btrim(question) <> ''),
  answer      text not null check (btrim(answer) <> ''),
  keywords    text[] not null default '{}',
  created_at  timestamptz not null default now(),
  unique (business_id, question)
);
create index faqs_keywords_idx on faqs using gin (keywords);

-- ---------------------------------------------------------------------------
-- people and their roles

create table users (
  id           text primary key check (btrim(id) <> ''),
  display_name text not null,
  email        text unique check (email is null or email ~ '^[^@\s]+@[^@\s]+$'),
  created_at   timestamptz not null default now()
);

-- Staff of a business. What each role may do is decided in code (dashboard
-- processor), from most to least: owner, manager, staff.
create table members (
  business_id text not null references businesses (id) on delete cascade,
  user_id     text not null references users (id) on delete cascade,
  role        text not null check (role in ('owner', 'manager', 'staff')),
  created_at  timestamptz not null default now(),
  primary key (business_id, user_id)
);
create index members_user_idx on members (user_id);

-- ---------------------------------------------------------------------------
-- conversations

create table conversations (
  id              text primary key,                -- the Kafka key of its events
  chat_type       text not null check (chat_type in ('DEDICATED', 'DASHBOARD', 'GLOBAL')),
  user_id         text not null,
  business_id     text references businesses (id),
  created_at      timestamptz not null default now(),
  last_message_at timestamptz not null default now(),
  -- The same rule as the events: DEDICATED and DASHBOARD talk about one business, GLOBAL about all.
  check ((chat_type = 'GLOBAL') = (business_id is null))
);
create index conversations_user_idx on conversations (user_id, last_message_at desc);
create index conversations_business_idx on conversations (business_id, last_message_at desc)
  where business_id is not null;

-- One row per chat message, keyed by its event id so a redelivered Kafka record
-- cannot be stored twice (INSERT … ON CONFLICT (event_id) DO NOTHING).
create table messages (
  event_id        uuid primary key,
  conversation_id text not null references conversations (id) on delete cascade,
  role            text not null check (role in ('user', 'assistant')),
  text            text not null,
  intent          text,
  agent           text,
  created_at      timestamptz not null default now()
);
create index messages_conversation_idx on messages (conversation_id, created_at);

-- ---------------------------------------------------------------------------
-- bookings and workflows

create table bookings (
  id              uuid primary key default gen_random_uuid(),
  business_id     text not null references businesses (id),
  user_id         text not null,
  -- Not a foreign key: a booking may come from the dashboard or a voice call and
  -- outlives the conversation it started in.
  conversation_id text,
  offering_id     uuid references offerings (id) on delete set null,  -- the service booked, if any
  party_size      integer not null check (party_size between 1 and 500),
  starts_at       timestamptz not null,
  status          text not null default 'pending'
                  check (status in ('pending', 'confirmed', 'cancelled', 'completed')),
  workflow_id     text unique,                      -- the reservation workflow that owns it
  notes           text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index bookings_business_starts_idx on bookings (business_id, starts_at);
create index bookings_user_starts_idx on bookings (user_id, starts_at);
create trigger bookings_touch before update on bookings
  for each row execute function x7_touch_updated_at();

-- The last known state of each Temporal workflow; the names match the
-- WorkflowEvent schema's WorkflowType and WorkflowStatus enums.
create table workflow_runs (
  workflow_id     text primary key,
  run_id          text,
  workflow_type   text not null
                  check (workflow_type in ('RESERVATION', 'MANAGEMENT_ACTION', 'VOICE_CALLBACK', 'OTHER')),
  status          text not null
                  check (status in ('STARTED', 'CONFIRMED', 'REMINDER_SENT', 'COMPLETED', 'CANCELLED', 'FAILED', 'UNKNOWN')),
  conversation_id text,
  business_id     text references businesses (id),
  started_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  detail          jsonb not null default '{}'
);
create index workflow_runs_business_idx on workflow_runs (business_id, started_at desc);
create index workflow_runs_status_idx on workflow_runs (status) where status in ('STARTED', 'CONFIRMED', 'REMINDER_SENT');
create trigger workflow_runs_touch before update on workflow_runs
  for each row execute function x7_touch_updated_at();

-- ---------------------------------------------------------------------------
-- management

-- Every dashboard action, allowed or denied. No foreign keys on purpose: a denied
-- attempt on an unknown business or by an unknown user is exactly what must be kept.
create table audit_log (
  id          bigserial primary key,
  business_id text,
  user_id     text not null,
  action      text not null check (btrim(action) <> ''),
  allowed     boolean not null,
  detail      jsonb not null default '{}',
  created_at  timestamptz not null default now()
);
create index audit_log_business_idx on audit_log (business_id, created_at desc);

create table announcements (
  id          uuid primary key default gen_random_uuid(),
  business_id text not null references businesses (id) on delete cascade,
  text        text not null check (btrim(text) <> ''),
  created_by  text not null references users (id),
  created_at  timestamptz not null default now()
);
create index announcements_business_idx on announcements (business_id, created_at desc);

-- ---------------------------------------------------------------------------
-- queries worth sharing

-- Whether the business is open at instant p_at, by its own clock and hours
-- (including intervals that run past midnight into the next day).
create function business_open_at(p_business_id text, p_at timestamptz) returns boolean
language sql stable as $$
  select exists (
    select 1
    from businesses b
    join opening_hours h on h.business_id = b.id
    cross join lateral (select (p_at at time zone b.timezone) as local_ts) l
    where b.id = p_business_id
      and (
        -- an interval that starts today, before now, and has not ended
        (h.weekday = extract(isodow from l.local_ts)
          and l.local_ts::time >= h.opens
          and (h.closes <= h.opens or l.local_ts::time < h.closes))
        -- yesterday's interval that runs past midnight and has not ended
        or (h.closes <= h.opens
          and h.weekday = extract(isodow from l.local_ts - interval '1 day')
          and l.local_ts::time < h.closes)
      )
  )
$$;

-- ---------------------------------------------------------------------------
-- Supabase exposes the public schema through its Data API to the anon and
-- authenticated roles. Row level security with no policy shuts that door;
-- x7-stream connects as the tables' owner, to whom RLS does not apply.
alter table businesses    enable row level security;
alter table opening_hours enable row level security;
alter table offerings     enable row level security;
alter table faqs          enable row level security;
alter table users         enable row level security;
alter table members       enable row level security;
alter table conversations enable row level security;
alter table messages      enable row level security;
alter table bookings      enable row level security;
alter table workflow_runs enable row level security;
alter table audit_log     enable row level security;
alter table announcements enable row level security;
