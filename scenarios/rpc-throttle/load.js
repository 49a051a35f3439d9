// Users claim gifts; each claim pays on chain through the app's RPC provider(s).
export { default, options, setup } from '../support/claims.js';
