-- Accounts: Better Auth's tables (user, session, account, verification) with UUID ids, exactly as its Kysely
-- migration would create them, so Better Auth reads and writes them unchanged.
create table "user" (
  "id" uuid default gen_random_uuid() not null primary key,
  "name" text not null,
  "email" text not null unique,
  "emailVerified" boolean not null,
  "image" text,
  "createdAt" timestamptz default current_timestamp not null,
  "updatedAt" timestamptz default current_timestamp not null
);

create table "session" (
  "id" uuid default gen_random_uuid() not null primary key,
  "expiresAt" timestamptz not null,
  "token" text not null unique,
  "createdAt" timestamptz default current_timestamp not null,
  "updatedAt" timestamptz not null,
  "ipAddress" text,
  "userAgent" text,
  "userId" uuid not null references "user" ("id") on delete cascade
);
create index "session_userId_idx" on "session" ("userId");

create table "account" (
  "id" uuid default gen_random_uuid() not null primary key,
  "accountId" text not null,
  "providerId" text not null,
  "userId" uuid not null references "user" ("id") on delete cascade,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  "scope" text,
  "password" text,
  "createdAt" timestamptz default current_timestamp not null,
  "updatedAt" timestamptz not null
);
create index "account_userId_idx" on "account" ("userId");

create table "verification" (
  "id" uuid default gen_random_uuid() not null primary key,
  "identifier" text not null,
  "value" text not null,
  "expiresAt" timestamptz not null,
  "createdAt" timestamptz default current_timestamp not null,
  "updatedAt" timestamptz default current_timestamp not null
);
create index "verification_identifier_idx" on "verification" ("identifier");

-- Fixed-window counters for the sign-in/sign-up limiter, shared by every API replica.
create table rate_limits (
  key text not null,
  window_start timestamptz not null,
  count integer not null,
  primary key (key, window_start)
);
create index rate_limits_window on rate_limits (window_start);

-- Per-user preferences that are ours, not Better Auth's.
create table user_settings (
  user_id uuid primary key references "user" ("id") on delete cascade,
  timezone text not null default 'UTC',
  agents_enabled boolean not null default true,
  updated_at timestamptz not null default now()
);

-- Full-text document of a task. Declared immutable so it can feed a stored generated column; array_to_string on
-- text[] does not depend on any setting.
create function task_search_document(title text, description text, tags text[]) returns tsvector
language sql immutable parallel safe as $$
  select setweight(to_tsvector('simple', coalesce(title, '')), 'A')
      || setweight(to_tsvector('simple', coalesce(array_to_string(tags, ' '), '')), 'A')
      || setweight(to_tsvector('simple', coalesce(description, '')), 'B')
$$;

create table tasks (
  id uuid primary key,
  user_id uuid not null references "user" ("id") on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  description text check (char_length(description) <= 10000),
  priority text not null default 'medium' check (priority in ('low', 'medium', 'high', 'urgent')),
  -- Sort key for priority: 'urgent' first when descending.
  priority_rank smallint generated always as (
    case priority when 'low' then 1 when 'medium' then 2 when 'high' then 3 else 4 end
  ) stored,
  due_date timestamptz,
  remind_at timestamptz,
  recurrence text,
  repeat_from text not null default 'dueDate' check (repeat_from in ('dueDate', 'completion')),
  tags text[] not null default '{}' check (cardinality(tags) <= 20),
  completed boolean not null default false,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  search tsvector generated always as (task_search_document(title, description, tags)) stored
);
create index tasks_user_created on tasks (user_id, created_at, id);
create index tasks_user_updated on tasks (user_id, updated_at, id);
create index tasks_user_due on tasks (user_id, due_date, id);
create index tasks_user_priority on tasks (user_id, priority_rank, id);
create index tasks_user_title on tasks (user_id, title, id);
create index tasks_search on tasks using gin (search);
create index tasks_tags on tasks using gin (tags);
-- The agents' sweeps look for open tasks that are due.
create index tasks_open_due on tasks (due_date) where not completed and due_date is not null;

-- Agent suggestions. At most one *pending* suggestion per task and type, whatever races between a sweep, an
-- event and another replica: the database decides.
create table suggestions (
  id uuid primary key,
  user_id uuid not null references "user" ("id") on delete cascade,
  task_id uuid not null references tasks (id) on delete cascade,
  type text not null check (type in ('overdue', 'priority', 'reminder')),
  message text not null,
  proposed_change jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'dismissed', 'withdrawn')),
  source_event text not null,
  correlation_id text,
  created_at timestamptz not null default now(),
  resolved_at timestamptz
);
create unique index suggestions_one_pending on suggestions (task_id, type) where status = 'pending';
create index suggestions_user on suggestions (user_id, created_at desc, id);

-- Transactional outbox: every task change writes its event here in the same transaction. The relay publishes
-- pending rows in id order; published rows stay as the event log (activity) until the retention period ends.
create table outbox (
  id bigint generated always as identity primary key,
  event_id uuid not null unique,
  event_type text not null,
  user_id uuid not null,
  task_id uuid not null,
  payload jsonb not null,
  correlation_id text not null,
  traceparent text,
  tracestate text,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  next_attempt_at timestamptz not null default now()
);
create index outbox_pending on outbox (id) where published_at is null;
-- The relay's per-user order check: is there an earlier pending event of the same user?
create index outbox_pending_user on outbox (user_id, id) where published_at is null;
create index outbox_user_activity on outbox (user_id, id desc);
create index outbox_task_activity on outbox (task_id, id desc);
create index outbox_published on outbox (published_at) where published_at is not null;

-- Events a consumer has acted on, keyed by CloudEvent id: recorded in the same transaction as the consumer's
-- writes, so a redelivered event is a no-op.
create table processed_events (
  consumer text not null,
  event_id text not null,
  event_type text,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

-- Events the consumer gave up on (retries exhausted, or dropped as poison), parked for an operator: listed,
-- replayed through the outbox with their original id, or discarded. One row per event id; a repeat bumps it.
create table dead_letters (
  id uuid primary key default gen_random_uuid(),
  event_id text not null unique,
  event_type text,
  topic text not null,
  envelope jsonb not null,
  error text not null,
  attempts integer not null default 1,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  replayed_at timestamptz
);
create index dead_letters_recent on dead_letters (last_seen_at desc, id);

-- Failed delivery attempts per event, counted outside the rolled-back handler transaction, so a dead letter can
-- say how often it was tried and why it last failed.
create table delivery_failures (
  consumer text not null,
  event_id text not null,
  attempts integer not null default 0,
  last_error text not null,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

-- Wakes the relay the moment an outbox row commits (NOTIFY is delivered at commit).
create function outbox_notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('outbox', '');
  return null;
end
$$;
create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();
