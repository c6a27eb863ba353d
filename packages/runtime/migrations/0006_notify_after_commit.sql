-- A writer that sends its notifications after commit (Notifier, packages/runtime/src/sql/Notifier.ts) quiets these
-- triggers for its transaction, so that the transaction itself sends no NOTIFY: PostgreSQL serialises the commits
-- of notifying transactions on one global lock held through their WAL flush. Every other writer (a script, psql, a
-- writer that does not opt in) still gets the trigger's notification at commit.
--   todo.defer_outbox_notify = 'on': the relay's wake-up on `outbox` is sent after commit by the writer.
--   todo.defer_task_notify = 'on': the writer sends the `user_changes` notices of its task changes after commit.
-- Both are set with set_config(…, true), i.e. for the current transaction only.

create or replace function outbox_notify() returns trigger
language plpgsql as $$
begin
  if current_setting('todo.defer_outbox_notify', true) = 'on' then return null; end if;
  perform pg_notify('outbox', '');
  return null;
end
$$;

create or replace function notify_task_change() returns trigger
language plpgsql as $$
declare
  rec tasks;
begin
  if current_setting('todo.defer_task_notify', true) = 'on' then return null; end if;
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
