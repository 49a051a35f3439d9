// Users claim gifts with a 1.5 s client deadline and retry (same Idempotency-Key) when it passes.
export { default, options, setup } from '../support/claims.js';
