/** The app's named mitigations. Each one is on unless FAULTLINE_MITIGATIONS switches it off. */
export const MITIGATIONS = ['rpc-fallback', 'idempotency', 'cache-fallback', 'llm-breaker', 'rate-limit', 'socket-recovery', 'admission-control', 'nonce-single-use', 'webhook-dedup', 'auth-cache-fallback'] as const;
export type Mitigation = (typeof MITIGATIONS)[number];
export type Mitigations = Record<Mitigation, boolean>;

export class MitigationsInvalidError extends Error {
  constructor(value: string, unknown: string) {
    super(
      `FAULTLINE_MITIGATIONS="${value}": unknown mitigation "${unknown}". ` +
        `Use all, none, or a comma list of names to keep (e.g. "idempotency,rate-limit") or to drop (e.g. "-rpc-fallback"); names: ${MITIGATIONS.join(', ')}.`,
    );
    this.name = 'MitigationsInvalidError';
  }
}

/**
 * Parses FAULTLINE_MITIGATIONS: empty or "all" = every mitigation; "none" = none;
 * "a,b" = only those; "-a,-b" = all but those; "none,+a" = only a.
 * @example parseMitigations('-rpc-fallback') // every mitigation but rpc-fallback
 */
export function parseMitigations(value = ''): Mitigations {
  const tokens = value.split(',').map((t) => t.trim()).filter(Boolean);
  const onlyRemovals = tokens.every((t) => t.startsWith('-') || t === 'all');
  const enabled = new Set<string>(onlyRemovals ? MITIGATIONS : []);
  for (const token of tokens) {
    if (token === 'all') MITIGATIONS.forEach((m) => enabled.add(m));
    else if (token === 'none') enabled.clear();
    else {
      const name = token.replace(/^[-+]/, '');
      if (!(MITIGATIONS as readonly string[]).includes(name)) throw new MitigationsInvalidError(value, name);
      if (token.startsWith('-')) enabled.delete(name);
      else enabled.add(name);
    }
  }
  return Object.fromEntries(MITIGATIONS.map((m) => [m, enabled.has(m)])) as Mitigations;
}

/** "all", "none", or the enabled names: for logs and GET /api/config. */
export function describeMitigations(m: Mitigations): string {
  const on = MITIGATIONS.filter((name) => m[name]);
  return on.length === MITIGATIONS.length ? 'all' : on.length === 0 ? 'none' : on.join(',');
}
