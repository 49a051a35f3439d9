import { ScenarioInvalidError } from './errors.ts';
import type { PreparedScript } from './k6-script.ts';
import { type ShapedGroup, shapeLoad } from './load-shape.ts';
import { isProbeKey } from './probes/thresholds.ts';
import type { Profile } from './profiles.ts';
import type { Scenario } from './scenario.ts';

/** k6's own metrics: every run may emit them (http_*, ws_*, grpc_*, browser_* by their prefix). */
const BUILT_IN = new Set(['iterations', 'iteration_duration', 'dropped_iterations', 'vus', 'vus_max', 'data_sent', 'data_received', 'checks', 'group_duration']);
const BUILT_IN_PREFIX = /^(http|ws|grpc|browser|webvitals)_/;

/** The helper's own bookkeeping (runner/k6/samples.js): declared in every bundle, never a metric to judge. */
const INTERNAL = new Set(['faultline_failure_sample']);

/** `new Trend('name')`, `new metrics.Rate("name")`, esbuild's renamed `new Counter2('name')`. */
const DECLARED = /new\s+(?:[\w$]+\.)?[\w$]*(?:Trend|Rate|Counter|Gauge)[\w$]*\s*\(\s*(['"`])([A-Za-z_][\w.]*)\1/g;
/** A metric whose name is computed: what the script emits cannot be known. */
const COMPUTED = /new\s+(?:[\w$]+\.)?[\w$]*(?:Trend|Rate|Counter|Gauge)[\w$]*\s*\(\s*(?!['"`][A-Za-z_][\w.]*['"`])[^)\s]/;

/** The custom metrics a bundled script declares, or undefined when one's name is computed. */
export function declaredMetrics(code: string): string[] | undefined {
  if (COMPUTED.test(code)) return undefined;
  return [...new Set([...code.matchAll(DECLARED)].map((m) => m[2]!))].filter((name) => !INTERNAL.has(name)).sort();
}

/**
 * What can be checked of the load before anything starts, against the prepared script:
 * every group's function exists and its shape fits its executor and the phases, and every
 * threshold names a metric some group can emit (k6's built-ins and the metrics the script
 * declares). Throws ScenarioInvalidError naming the scenario file and each field; returns the
 * shaped groups.
 */
export function checkLoad(scenario: Scenario, profile: Profile, script: PreparedScript): ShapedGroup[] {
  const exports = scenario.load.groups ? script.exports : undefined;
  const { groups, problems } = shapeLoad(scenario.load, scenario.phases, profile, exports);
  const declared = declaredMetrics(script.code);
  if (declared) {
    // Probe thresholds are the runner's, checked against the environment (runner/probes/thresholds.ts).
    for (const key of Object.keys(scenario.assertions.thresholds).filter((k) => !isProbeKey(k))) {
      const metric = key.replace(/\{.*$/, '');
      if (BUILT_IN.has(metric) || BUILT_IN_PREFIX.test(metric) || declared.includes(metric)) continue;
      const close = declared.filter((d) => similar(d, metric));
      problems.push(
        `assertions.thresholds.${key}: no load group emits metric "${metric}": it is not one of k6's and ${scenario.load.scriptPath} declares no such metric` +
          (close.length ? ` (did you mean ${close.join(', ')}?)` : declared.length ? ` (it declares ${declared.join(', ')})` : ''),
      );
    }
  }
  if (problems.length > 0) throw new ScenarioInvalidError(scenario.file, problems);
  return groups;
}

/** Names one typo apart: same prefix up to the last few characters, or one edit away. */
function similar(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return Math.max(a.length, b.length) - i - j <= 2;
}
