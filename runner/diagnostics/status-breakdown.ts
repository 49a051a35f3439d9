import type { RequestStats } from '../request-stats.ts';
import type { ScheduledPhase } from '../scenario.ts';
import type { PhaseStatus } from './result.ts';

/** k6's error code for a request that timed out. */
export const K6_TIMEOUT = 1050;

/** How k6 reported a request that got no HTTP answer: a timeout, a connection error (DNS, TCP), or another error (TLS, HTTP/2). */
export function errorClass(code: number): 'timeout' | 'connection' | 'other' {
  if (code === K6_TIMEOUT) return 'timeout';
  return code >= 1000 && code < 1300 ? 'connection' : 'other';
}

/**
 * Every request of each phase by outcome: 2xx / 3xx by class, 4xx and 5xx by code,
 * timeouts, connection errors, and other k6 errors by code (from the `status` and
 * `error_code` tags k6 puts on each request's points).
 */
export function statusBreakdown(stats: RequestStats, phases: ScheduledPhase[]): PhaseStatus[] {
  return phases.map((p) => {
    const row: PhaseStatus = { phase: p.name, requests: 0, byStatus: {}, timeouts: 0, connectionErrors: 0, otherErrors: {} };
    for (const s of stats.outcomes(p.name)) {
      row.requests += s.count;
      const status = Number(s.status ?? 0);
      const code = s.errorCode ? Number(s.errorCode) : 0;
      if (status === 0 || (code && status < 100)) {
        const kind = errorClass(code || 1000);
        if (kind === 'timeout') row.timeouts += s.count;
        else if (kind === 'connection') row.connectionErrors += s.count;
        else row.otherErrors[String(code)] = (row.otherErrors[String(code)] ?? 0) + s.count;
        continue;
      }
      const key = status >= 400 ? String(status) : `${Math.floor(status / 100)}xx`;
      row.byStatus[key] = (row.byStatus[key] ?? 0) + s.count;
    }
    return row;
  });
}
