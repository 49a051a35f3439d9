import { describe, expect, it } from 'vitest';
import { failuresBefore } from './baseline.ts';

const request = (tMs: number, ms: number, failed: 0 | 1, phase = 'baseline') => ({ duration: { tMs, value: ms, phase }, failed: { tMs, value: failed, phase } });

describe('failuresBefore', () => {
  it("counts a baseline failure only when the request ended before the first fault; one the fault caught in flight is the fault's", () => {
    const requests = [request(100, 20, 0), request(3830, 5001, 1), request(500, 30, 0)];
    const samples = { duration: requests.map((r) => r.duration), failed: requests.map((r) => r.failed), firstToken: [] };
    expect(failuresBefore(samples, 'baseline', 4000)).toBe(0);
    const early = [...requests, request(1000, 40, 1)];
    expect(failuresBefore({ duration: early.map((r) => r.duration), failed: early.map((r) => r.failed), firstToken: [] }, 'baseline', 4000)).toBe(1);
    expect(failuresBefore({ duration: early.map((r) => r.duration), failed: early.map((r) => r.failed), firstToken: [] }, 'fault', 4000)).toBe(0);
  });
});
