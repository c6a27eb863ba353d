-- Roles: who may use the operator routes (dead letters). Granted and revoked only by the operator command
-- (`npm run admin -- grant|revoke <email>`), never by signing up with some address.
create table user_roles (
  user_id uuid not null references "user" ("id") on delete cascade,
  role text not null check (role in ('admin')),
  granted_at timestamptz not null default now(),
  granted_by text not null,
  primary key (user_id, role)
);

-- The accounts' activity log (the tasks' is the outbox): role changes, with who made them and when. Kept when the
-- account is deleted (the email stays as it was).
create table account_activity (
  id bigint generated always as identity primary key,
  user_id uuid references "user" ("id") on delete set null,
  email text not null,
  action text not null check (action in ('role.granted', 'role.revoked')),
  detail jsonb not null default '{}',
  actor text not null,
  at timestamptz not null default now()
);
create index account_activity_user on account_activity (user_id, id desc);

-- Failed sign-ins per (account, client): the progressive delay and the per-account ceiling (docs/security.md).
-- A row whose last failure is older than the window counts as none and is swept.
create table login_failures (
  account text not null,
  client text not null,
  failures integer not null default 0,
  last_failure_at timestamptz not null default now(),
  primary key (account, client)
);
create index login_failures_recent on login_failures (account, last_failure_at);
create index login_failures_sweep on login_failures (last_failure_at);

-- The per-account failure limit replaces the fixed-window account counters of the old limiter.
delete from rate_limits where key like 'sign-in:account:%' or key like 'sign-up:account:%';

-- A zone PostgreSQL does not know (an alias dropped from its tzdata such as US/Pacific-New) or reads another way
-- (an offset like +01:00, whose sign POSIX reverses) was accepted before zones were checked against
-- pg_timezone_names; such a user is back on UTC. The API now accepts only names both Intl and PostgreSQL know.
update user_settings set timezone = 'UTC', updated_at = now()
where timezone not in (select name from pg_timezone_names) or timezone ~ '^[+-]';

-- A zone name that PostgreSQL can use, or UTC: for queries over stored zones, so that one user's zone (say, one a
-- later tzdata drops) fails none of them. Cheap: it asks the zone cache, not the pg_timezone_names view.
create function usable_time_zone(tz text) returns text
language plpgsql stable parallel safe as $$
begin
  if tz is null or tz ~ '^[+-]' then
    return 'UTC';
  end if;
  perform now() at time zone tz;
  return tz;
exception when invalid_parameter_value then
  return 'UTC';
end
$$;
