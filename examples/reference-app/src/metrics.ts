import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The app's Prometheus metrics, in their own registry (several app instances may share a test process). */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cache: new Counter({ name: 'cache_requests_total', help: 'Cache lookups by cache and result (hit, miss, error)', labelNames: ['cache', 'result'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'queue_depth', help: 'BullMQ jobs waiting, active or delayed', labelNames: ['queue'], registers: [registry] }),
    sockets: new Gauge({ name: 'socketio_connected_sockets', help: 'Connected Socket.IO clients', registers: [registry] }),
    rpcCalls: new Counter({ name: 'rpc_calls_total', help: 'JSON-RPC HTTP calls by provider and outcome', labelNames: ['provider', 'outcome'], registers: [registry] }),
    claims: new Counter({ name: 'gift_claims_total', help: 'Gift claims by outcome', labelNames: ['outcome'], registers: [registry] }),
    llm: new Counter({ name: 'llm_requests_total', help: 'LLM chat requests by outcome', labelNames: ['outcome'], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
