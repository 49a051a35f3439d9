import type { Samples } from './points.ts';

/**
 * The failed requests of `phase` that ended before `faultAtMs`: a request that started in the
 * baseline but was still waiting when the first fault hit failed because of the fault, which
 * says nothing about the steady state before it. (k6 writes each request's duration and
 * failed samples one after the other, so the two lists pair up by index.)
 */
export function failuresBefore(samples: Samples, phase: string, faultAtMs: number): number {
  let failures = 0;
  samples.failed.forEach((failed, i) => {
    const duration = samples.duration[i];
    if (failed.phase !== phase || failed.value !== 1) return;
    if (!duration || duration.tMs !== failed.tMs || duration.tMs + duration.value < faultAtMs) failures++;
  });
  return failures;
}
