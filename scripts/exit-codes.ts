/** Exit codes: 0 ok, 1 a check failed (unhealthy env, FAIL verdict), 2 bad input or an environment that would not start, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;
