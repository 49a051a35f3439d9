import { ms } from './format.ts';

/** How the Context table names the runner's keys, and how it shows their values. */
const LABELS: Record<string, [string, ((v: string) => string)?]> = {
  environment: ['Environment'],
  k6: ['k6 version'],
  load: ['Load'],
  mitigations: ['Mitigations'],
  scenarioFile: ['Scenario file'],
  timelineMaxLatenessMs: ['Largest timer lateness of a fault', (v) => ms(Number(v))],
  droppedIterations: ['Arrivals k6 could not start (all VUs busy)'],
  interrupted: ['Interrupted by'],
  requestedSeed: ['Requested seed'],
  probes: ['Probes'],
};

/** `timelineMaxLatenessMs` → `Largest timer lateness of a fault`, `12 ms`; an unknown key in words. */
export function contextLabel(key: string, value: string): [string, string] {
  const known = LABELS[key];
  if (known) return [known[0], known[1] ? known[1](value) : value];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return [words.charAt(0).toUpperCase() + words.slice(1), value];
}
