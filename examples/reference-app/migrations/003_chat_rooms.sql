-- Chat rooms (the chat-room performance plan): messages carry their sender's name and avatar
-- (denormalised at insert, so a page is a single-table read), the plan's composite index,
-- and the room bookkeeping the worker does after a post (last message, unread counts).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS sender_name text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN IF NOT EXISTS sender_avatar_url text;
CREATE INDEX IF NOT EXISTS messages_room_id_created_at ON messages (room_id, created_at DESC);

CREATE TABLE IF NOT EXISTS chat_rooms (
  tenant          text NOT NULL,
  room_id         text NOT NULL,
  last_message_at timestamptz NOT NULL,
  message_count   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, room_id)
);

-- A room's members are the users who posted in it; each has the count of messages posted since their last one.
CREATE TABLE IF NOT EXISTS chat_room_members (
  tenant  text NOT NULL,
  room_id text NOT NULL,
  user_id text NOT NULL,
  unread  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, room_id, user_id)
);

-- Set false by a post and true by the worker once the room's bookkeeping is done: a post is
-- counted exactly once even when its job runs again, and what is still false after a run is
-- what the queue never delivered. Messages from before this migration count as done.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS bookkept boolean NOT NULL DEFAULT true;
