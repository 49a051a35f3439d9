import { defineScenario } from 'faultline';

/**
 * Load plan S4, the votes hot path: 20 votes a second, a spike to 200 for the spike phase,
 * then back (smoke: a tenth of that). Postgres answers 100 ms ± 30 ms late (a vote takes two round trips) during the spike,
 * so a part of the answers pass the clients' 250 ms deadline and clients retry (backing off)
 * with the same Idempotency-Key, while the first attempt still commits. With idempotency every vote is
 * counted once; without it, a retry is a second vote: the ledger invariant breaks. The spike
 * phase lasts 6 s here (phases are the scenario's, not the profile's);
 * scenarios/incidents/votes-spike-60s.yaml is the plan's 60 s timeline.
 */
export default defineScenario({
  name: 'votes-spike',
  description: 'Votes at 20/s, a spike to 200/s with Postgres +100 ms; clients retry with the same Idempotency-Key; every vote counted once',
  services: { postgres: true, redis: true, anvil: true, app: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    groups: {
      voters: { executor: 'constant-arrival-rate', rate: 20, vus: 20, maxVUs: 400, phases: { spike: { rate: 200 }, recovery: { rate: 20 } } },
    },
    // A vote retried with pauses holds its VU for seconds: enough VUs that k6 starts every planned vote.
    profiles: { smoke: { scale: 0.1, groups: { voters: { vus: 60, maxVUs: 150 } } } },
  },
  phases: [
    { name: 'baseline', duration: '4s' },
    { name: 'spike', duration: '6s' },
    { name: 'recovery', duration: '5s' },
  ],
  faults: [{ name: 'postgres-slow', fault: 'latency', target: 'postgres', at: 'spike', params: { latency: 100, jitter: 30 } }],
  assertions: {
    // Timed-out attempts are the fault's doing and are retried: the profile judges the baseline, outcomes the run.
    profileThresholds: ['baseline'],
    thresholds: {
      votes_accepted: ['rate>0.99'],
      votes_rate_limited: ['rate<=0.01'],
      'http_req_duration{phase:recovery}': ['p(95)<{p95TotalMs}'],
    },
  },
  invariants: [
    // A vote is one Idempotency-Key of one caller: one ledger row each.
    {
      name: 'every vote counted once',
      sql: `SELECT tenant, user_id, idempotency_key, count(*)::int AS rows FROM vote_ledger WHERE poll_id LIKE 'vs-%' GROUP BY 1, 2, 3 HAVING count(*) > 1`,
      expect: 'no rows',
    },
    {
      name: 'tallies equal the ledger',
      sql: `SELECT coalesce(t.poll_id, l.poll_id) AS poll, coalesce(t.option, l.option) AS option, t.votes, l.rows
            FROM (SELECT * FROM vote_tallies WHERE poll_id LIKE 'vs-%') t
            FULL JOIN (SELECT poll_id, option, count(*) AS rows FROM vote_ledger WHERE poll_id LIKE 'vs-%' GROUP BY 1, 2) l USING (poll_id, option)
            WHERE t.votes IS DISTINCT FROM l.rows`,
      expect: 'no rows',
    },
  ],
});
