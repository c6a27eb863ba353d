-- Reminder notifications, one per task and reminder time.
create table notifications (
  id uuid primary key,
  user_id uuid not null references "user" ("id") on delete cascade,
  task_id uuid references tasks (id) on delete set null,
  kind text not null default 'reminder' check (kind in ('reminder')),
  title text not null,
  message text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notifications_user on notifications (user_id, created_at desc, id);

-- A reminder fires once per task and reminder time, across restarts and replicas: whoever inserts this row fires.
create table reminders_fired (
  task_id uuid not null references tasks (id) on delete cascade,
  remind_at timestamptz not null,
  fired_at timestamptz not null default now(),
  primary key (task_id, remind_at)
);

-- The overdue agent publishes one tasks.overdue per task and due date.
create table overdue_notices (
  task_id uuid not null references tasks (id) on delete cascade,
  due_date timestamptz not null,
  noticed_at timestamptz not null default now(),
  primary key (task_id, due_date)
);

-- The reminder scheduler looks for the next reminder to fire.
create index tasks_open_remind on tasks (remind_at) where not completed and remind_at is not null;

-- Suggestions whose one-sentence reason a language model may rewrite, after the suggestion itself is stored with
-- the rule-based reason (the decision never waits for a model).
create table suggestion_reason_jobs (
  suggestion_id uuid primary key references suggestions (id) on delete cascade,
  context jsonb not null,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  done_at timestamptz
);
create index suggestion_reason_jobs_open on suggestion_reason_jobs (created_at) where done_at is null;

-- The agents' per-user rate limit counts recent suggestions.
create index suggestions_user_recent on suggestions (user_id, created_at);

-- Live updates (GET /api/stream): every change to a user's tasks, suggestions and notifications is announced on
-- the `user_changes` channel at commit; the API fans it out to that user's open streams.
create function notify_task_change() returns trigger
language plpgsql as $$
declare
  rec tasks;
begin
  if TG_OP = 'DELETE' then rec := OLD; else rec := NEW; end if;
  perform pg_notify('user_changes', json_build_object(
    'userId', rec.user_id, 'kind', 'task', 'id', rec.id, 'taskId', rec.id,
    'change', case
      when TG_OP = 'INSERT' then 'created'
      when TG_OP = 'DELETE' then 'deleted'
      when NEW.completed and not OLD.completed then 'completed'
      when OLD.completed and not NEW.completed then 'incomplete'
      else 'updated' end)::text);
  return null;
end
$$;
create trigger tasks_notify after insert or update or delete on tasks
  for each row execute function notify_task_change();

create function notify_suggestion_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('user_changes', json_build_object(
    'userId', NEW.user_id, 'kind', 'suggestion', 'id', NEW.id, 'taskId', NEW.task_id,
    'change', case when TG_OP = 'INSERT' then 'created' else NEW.status end)::text);
  return null;
end
$$;
create trigger suggestions_notify after insert or update on suggestions
  for each row execute function notify_suggestion_change();

create function notify_notification_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('user_changes', json_build_object(
    'userId', NEW.user_id, 'kind', 'notification', 'id', NEW.id, 'taskId', NEW.task_id,
    'change', case when TG_OP = 'INSERT' then 'created' else 'read' end)::text);
  return null;
end
$$;
create trigger notifications_notify after insert or update on notifications
  for each row execute function notify_notification_change();
