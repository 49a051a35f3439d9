// Faultline's k6 helper. A scenario's k6 script imports it:
//
//   import http from 'k6/http';
//   import * as faultline from '../../runner/k6/faultline.js';
//   export const options = faultline.options();
//   export const setup = faultline.setup;
//   export default faultline.iteration(() => { http.get(`${faultline.target}/health`); });
//
// The runner passes the plan in __ENV.FAULTLINE_PLAN: the shared time origin (epoch ms),
// the phases on that axis, the load shape and the thresholds. Every metric emitted in an
// iteration is tagged with the phase it started in, so thresholds such as
// `http_req_duration{phase:fault}` work.
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Trend } from 'k6/metrics';
import { installFailureSamples } from './samples.js';

const plan = JSON.parse(
  __ENV.FAULTLINE_PLAN ||
    JSON.stringify({
      originMs: 0,
      phases: [{ name: 'load', startMs: 0, endMs: 10000 }],
      thresholds: {},
      load: { executor: 'iterations', vus: 1, iterations: 1, maxDuration: '1m' },
      profile: {},
    }),
);

// Failed and slow responses are sampled for the report (plan.samples; see samples.js).
installFailureSamples(plan.samples);

/** Base URL of the system under test. */
export const target = __ENV.FAULTLINE_TARGET || plan.target || 'http://127.0.0.1:3000';
/** The profile the run uses: requests, concurrency, success, p95TotalMs, p95FirstTokenMs. */
export const profile = plan.profile;
/** The shared time origin (epoch ms): phase offsets count from it. */
export const originMs = plan.originMs;
/** The run's seed, for scripts that generate data. */
export const seed = Number(__ENV.FAULTLINE_SEED || 0);
/** Time to first token of streamed responses (ms); thresholds: `faultline_first_token`. */
export const firstToken = new Trend('faultline_first_token', true);

/** The phase at `tMs` ms after the origin; before the first phase counts as the first, after the last as the last. */
export function phaseAt(tMs) {
  const phases = plan.phases;
  for (const p of phases) if (tMs < p.endMs) return p.name;
  return phases[phases.length - 1].name;
}

/**
 * The time origin (epoch ms): the plan's, shared with the fault timeline; for a plan
 * without one (a distributed run, `faultline export k8s`, whose pods start together on
 * the operator's signal), when this test's scenario started.
 */
function origin() {
  return plan.originMs || exec.scenario.startTime;
}

/** The phase right now. */
export function phase() {
  return phaseAt(Date.now() - origin());
}

/** Tags every metric this VU emits from now on with the current phase. */
export function tagPhase() {
  exec.vu.metrics.tags.phase = phase();
}

/** Wraps the default function: tags the phase at the start of each iteration. */
export function iteration(fn) {
  return function (data) {
    tagPhase();
    return fn(data);
  };
}

/** Sleeps until the time origin, so load starts when the fault timeline's clock says 0. */
export function waitForOrigin() {
  const wait = plan.originMs - Date.now();
  // To k6's log, read by the runner: how much of the lead k6 needed (its start, VUs, setup's own work), to fit the next run's.
  if (plan.originMs) console.log(`faultline: ready ${Math.round(wait)} ms before the origin`);
  if (wait > 0) sleep(wait / 1000);
}

/** Default setup: wait for the origin. A script with its own setup calls waitForOrigin() at its end. */
export function setup() {
  waitForOrigin();
}

/**
 * An existing script's own options, kept (its stages, scenarios, VUs), with the run's
 * thresholds added to its own; a script that shapes no load gets the plan's. The runner
 * calls this for a script that does not import this helper.
 */
export function adopt(own) {
  const mine = Object.assign({}, own);
  // Load groups the scenario declares shape the load instead of the script's own options.
  if (plan.shaped) for (const key of ['scenarios', 'stages', 'vus', 'duration', 'iterations']) delete mine[key];
  const shaped = ['scenarios', 'stages', 'vus', 'duration', 'iterations'].some((k) => k in mine);
  const thresholds = Object.assign({}, mine.thresholds);
  for (const [metric, expressions] of Object.entries(plan.thresholds)) thresholds[metric] = [].concat(thresholds[metric] || [], expressions);
  const maxRedirects = Math.min(mine.maxRedirects === undefined ? 10 : mine.maxRedirects, plan.maxRedirects === undefined ? 10 : plan.maxRedirects);
  return Object.assign(shaped ? {} : { scenarios: options().scenarios }, mine, { thresholds, maxRedirects, setupTimeout: mine.setupTimeout || '120s' });
}

/** k6 options for the plan: one k6 scenario per load group (shaped by the profile), and the thresholds. `extra` is merged on top. */
export function options(extra) {
  return Object.assign(
    {
      // One k6 scenario per load group, computed by the runner (runner/load-shape.ts).
      scenarios: plan.scenarios || { faultline: legacyScenario(plan.load) },
      thresholds: plan.thresholds,
      setupTimeout: '120s',
      // Keeps the per-request points small: these tags are all the runner reads.
      systemTags: ['status', 'method', 'name', 'expected_response', 'error_code', 'scenario'],
      // Load stays on loopback: a redirect could lead elsewhere (allowed with --allow-remote-target).
      maxRedirects: plan.maxRedirects === undefined ? 10 : plan.maxRedirects,
    },
    extra || {},
  );
}

/** This VU's load group as the plan describes it: `{ connections, vus, targets }`. */
export function group() {
  return (plan.groups && plan.groups[exec.scenario.name]) || { vus: 1, targets: [target] };
}

/** The sockets this iteration holds: its share of its group's `connections`, spread evenly over the group's VUs. */
export function connections() {
  const g = group();
  const total = g.connections || 0;
  const vus = Math.max(1, g.vus || 1);
  const index = exec.scenario.iterationInTest % vus;
  return Math.floor(total / vus) + (index < total % vus ? 1 : 0);
}

/** The index of this iteration's first connection within its group (0 for the first VU), for unique users per socket. */
export function connectionIndex() {
  const g = group();
  const total = g.connections || 0;
  const vus = Math.max(1, g.vus || 1);
  const index = exec.scenario.iterationInTest % vus;
  return index * Math.floor(total / vus) + Math.min(index, total % vus);
}

/** The group's targets (URLs), the n-th of them for spreading requests or sockets: `targetFor(i)`. */
export function targets() {
  return group().targets || [target];
}
export function targetFor(n) {
  const all = targets();
  return all[Math.abs(n) % all.length];
}

/** Milliseconds until the end of the last phase (negative once it is over). */
export function remainingMs() {
  return plan.originMs + plan.phases[plan.phases.length - 1].endMs - Date.now();
}

/** The single-group form of plans written before load groups (no `scenarios` in the plan). */
function legacyScenario(load) {
  if (load.executor === 'iterations') return { executor: 'shared-iterations', vus: load.vus, iterations: load.iterations, maxDuration: load.maxDuration };
  return {
    executor: 'constant-arrival-rate',
    rate: load.ratePerMinute,
    timeUnit: '1m',
    duration: load.duration,
    preAllocatedVUs: load.vus,
    maxVUs: load.vus,
    gracefulStop: load.gracefulStop || '10s',
  };
}
