-- Render jobs (POST /api/designs/:id/render): one row per accepted job, its state as the worker leaves it.
-- `instance` is the app process that accepted it, so a run's completion rate counts only its own jobs.
CREATE TABLE IF NOT EXISTS render_jobs (
  id           bigserial PRIMARY KEY,
  instance     text NOT NULL,
  tenant       text NOT NULL,
  user_id      text NOT NULL,
  design_id    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('queued', 'active', 'completed', 'failed')),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS render_jobs_instance_idx ON render_jobs (instance, status);
