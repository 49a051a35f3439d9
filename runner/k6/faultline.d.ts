// Types of Faultline's k6 helper (faultline/k6), for scripts written in TypeScript or checked with tsc.

/** Base URL of the system under test (the run's target). */
export const target: string;
/** The profile the run uses. */
export const profile: { requests: number; concurrency: number; success: number; p95TotalMs: number; p95FirstTokenMs: number; rps?: number };
/** The shared time origin (epoch ms): phase offsets count from it. */
export const originMs: number;
/** The run's seed, for scripts that generate data. */
export const seed: number;
/** Time to first token of streamed responses (ms); thresholds: `faultline_first_token`. */
export const firstToken: { add(value: number, tags?: Record<string, string>): void };
/** The phase at `tMs` ms after the time origin. */
export function phaseAt(tMs: number): string;
/** The phase right now. */
export function phase(): string;
/** Tags every metric this VU emits from now on with the current phase. */
export function tagPhase(): void;
/** Wraps the default function: tags the phase at the start of each iteration. */
export function iteration<T>(fn: (data: T) => unknown): (data: T) => unknown;
/** Sleeps until the time origin, so load starts when the fault timeline's clock says 0. */
export function waitForOrigin(): void;
/** Default setup: waits for the origin. */
export function setup(): void;
/** This VU's load group as the plan describes it. */
export function group(): { connections?: number; vus: number; targets: string[] };
/** The sockets this iteration holds: its share of its group's `connections`, spread over the group's VUs. */
export function connections(): number;
/** The index of this iteration's first connection within its group, for unique users per socket. */
export function connectionIndex(): number;
/** The group's targets (URLs): its `targets` resolved, or the run's target. */
export function targets(): string[];
/** The n-th target, round robin: spreads requests or sockets over the group's targets. */
export function targetFor(n: number): string;
/** Milliseconds until the end of the last phase (negative once it is over). */
export function remainingMs(): number;
/** k6 options for the plan (one k6 scenario per load group, and the thresholds), with `extra` merged on top. */
export function options(extra?: Record<string, unknown>): Record<string, unknown>;
/** An existing script's own options, kept, with the run's thresholds added to its own. */
export function adopt(own?: Record<string, unknown>): Record<string, unknown>;
