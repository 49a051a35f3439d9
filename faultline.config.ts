import { defineConfig } from 'faultline';
import { referenceApp } from './examples/reference-app/service.ts';

// Faultline's own environment: every dependency, the simulated third parties and the
// reference app as the system under test, declared as any team declares its app.
// See README "Config".
export default defineConfig({
  scenariosDir: 'scenarios',
  services: {
    postgres: { database: 'app', user: 'app', password: 'app' },
    // REDIS_ADAPTER_URL: the Socket.IO adapter's own path to Redis, to cut alone; REDIS_WORKER_URL: the render worker's; REDIS_NONCE_URL: the embed nonce store's.
    redis: { proxies: ['adapter', 'worker', 'nonce'] },
    anvil: { chainId: 31337, accounts: 10, balance: 10_000 },
    rpc: true, // provider gateway in front of anvil: RPC_URL (infura), RPC_FALLBACK_URL (alchemy), RPC_PUBLIC_URL
    farcaster: true, // hub + Neynar-style API: FARCASTER_HUB_URL
    llm: true, // OpenAI-compatible: LLM_URL
    payments: true, // Stripe-style payments provider (invoices, signed webhooks): PAYMENTS_URL
    app: referenceApp({ uses: ['rpc', 'llm', 'farcaster', 'payments'] }), // the reference app: APP_URL
    app2: referenceApp({ uses: ['rpc', 'llm', 'farcaster'], publisher: false }), // a second instance behind the Redis adapter: APP2_URL
  },
});
