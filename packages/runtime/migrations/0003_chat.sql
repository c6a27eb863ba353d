-- Chat assistant: a user's conversations and their messages. Only the user's and the assistant's turns are stored
-- (the model's tool calls live on the assistant message as its actions); deleting a user deletes their chats.
create table conversations (
  id uuid primary key,
  user_id uuid not null references "user" ("id") on delete cascade,
  title text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index conversations_user_recent on conversations (user_id, updated_at desc, id desc);

create table chat_messages (
  id uuid primary key,
  conversation_id uuid not null references conversations (id) on delete cascade,
  user_id uuid not null references "user" ("id") on delete cascade,
  -- Insertion order within a conversation (two messages may share a timestamp).
  seq bigint generated always as identity,
  role text not null check (role in ('user', 'assistant')),
  content text not null,
  -- ChatAction[] of an assistant message: tool, arguments, result summary, ok, taskIds.
  actions jsonb not null default '[]',
  -- Tasks the assistant asked the user to confirm deleting; only the next user message can confirm them.
  pending_deletion uuid[] not null default '{}',
  created_at timestamptz not null default now()
);
create index chat_messages_conversation on chat_messages (conversation_id, seq);
