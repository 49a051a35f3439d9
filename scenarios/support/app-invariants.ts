import type { Invariant, InvariantContext } from 'faultline';

interface Report {
  ok: boolean;
  invariants: Array<{ name: string; description: string; ok: boolean; violationCount: number; violations: unknown[] }>;
}

/**
 * The reference app's own post-run checks (GET /api/invariants: paid exactly once, no
 * over-claim, no double claim, balances match the ledger), read on the app's direct URL.
 * One Faultline invariant per app invariant, so a report names the one that broke.
 */
export function appInvariants(names: string[]): Invariant[] {
  let report: Promise<Report> | undefined;
  let forRun: InvariantContext | undefined;
  const fetchReport = (ctx: InvariantContext) => {
    if (!report || forRun !== ctx) {
      forRun = ctx;
      const url = ctx.env.APP_DIRECT_URL ?? ctx.target;
      report = fetch(`${url}/api/invariants`, { signal: AbortSignal.timeout(30_000) }).then(async (r) => {
        if (r.status !== 200 && r.status !== 409) throw new Error(`GET /api/invariants: HTTP ${r.status}`);
        return (await r.json()) as Report;
      });
    }
    return report;
  };
  return names.map((name) => ({
    name,
    async check(ctx) {
      const found = (await fetchReport(ctx)).invariants.find((i) => i.name === name);
      if (!found) return { ok: false, detail: `the app reports no invariant named ${name}` };
      return {
        ok: found.ok,
        detail: found.ok ? found.description : `${found.violationCount} violation(s): ${JSON.stringify(found.violations.slice(0, 3))}`,
      };
    },
  }));
}

export const CLAIM_INVARIANTS = ['claim_paid_exactly_once', 'gift_not_over_claimed', 'wallet_claims_gift_once', 'token_balances_match_ledger'];
