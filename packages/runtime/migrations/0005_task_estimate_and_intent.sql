-- How long the user expects a task to take, in whole minutes (at most a day); null when not estimated.
alter table tasks add column estimate_minutes integer check (estimate_minutes between 1 and 1440);

-- When the user last set the priority explicitly (create or update carrying one, quick add `!high` included):
-- the prioritization agent leaves a priority set in the last 24 hours alone. Null: never set by the user.
alter table tasks add column priority_set_at timestamptz;
