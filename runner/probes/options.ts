import { z } from 'zod';
import { durationSchema } from '../../lib/durations.ts';

/**
 * A scenario's `probes` section: how often to sample, and what to sample beyond what the
 * environment's services give by themselves (every service's CPU and RSS, Postgres,
 * Redis, the mocks' stats, the app's /metrics when it has one).
 */
export const probesSchema = z
  .strictObject({
    /** Off: no server-side sampling (and no probe thresholds). */
    enabled: z.boolean().default(true),
    /** Time between two samples of every source. Default 1 s. */
    interval: durationSchema.default(1000),
    /** BullMQ queue names to watch (waiting, active, completed, failed, delayed). */
    queues: z.array(z.string().min(1)).default([]),
    /** BullMQ's key prefix. */
    queuePrefix: z.string().min(1).default('bull'),
    /** Prometheus endpoints; default: the target app's `/metrics`, when it answers. `false`: none. */
    prometheus: z
      .union([
        z.literal(false),
        z.array(
          z.strictObject({
            /** The group thresholds use: `probe:<name>.<metric>`. Default `prom`. */
            name: z.string().regex(/^[a-z][\w-]*$/, 'expected a lower-case name').default('prom'),
            /** A full URL, or a path on the target app (`/metrics`). */
            url: z.string().min(1).default('/metrics'),
            /** Metric names to keep; default every one (at most 200 series). */
            metrics: z.array(z.string().min(1)).optional(),
          }),
        ),
      ])
      .optional(),
    postgres: z
      .strictObject({
        /** The app's pool size: `connections_pool` = connections / poolSize. */
        poolSize: z.number().int().min(1).optional(),
        /** How many pg_stat_statements queries to keep (by total time), when the extension is there. */
        statements: z.number().int().min(0).default(5),
      })
      .default({ statements: 5 }),
    /** Failure samples taken by the k6 helper: per phase and per kind, a response slower than `slow` counts as slow. */
    samples: z
      .strictObject({
        perKind: z.number().int().min(0).max(200).default(20),
        /** Default: the profile's p95 bound. */
        slow: durationSchema.optional(),
        /** A response header to keep besides x-request-id and traceparent. */
        header: z.string().min(1).optional(),
        /** How much of the body to keep. */
        bodyBytes: z.number().int().min(0).max(4096).default(200),
      })
      .default({ perKind: 20, bodyBytes: 200 }),
  })
  .default({ enabled: true, interval: 1000, queues: [], queuePrefix: 'bull', postgres: { statements: 5 }, samples: { perKind: 20, bodyBytes: 200 } });

export type ProbesOptions = z.output<typeof probesSchema>;
export type ProbesInput = z.input<typeof probesSchema>;
