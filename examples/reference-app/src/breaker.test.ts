import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.ts';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and refuses calls', () => {
    const breaker = new CircuitBreaker(3, 1000, () => 0);
    for (let i = 0; i < 3; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.failure();
    }
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });
  it('lets one trial through after the cooldown and closes on its success', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1000, () => now);
    breaker.failure();
    now = 1000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
  });
  it('opens again when the trial fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1000, () => now);
    breaker.failure();
    now = 1500;
    breaker.tryAcquire();
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs()).toBe(1000);
  });
  it('lets another trial through when the trial is abandoned', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1000, () => now);
    breaker.failure();
    now = 1000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.abandon();
    expect(breaker.tryAcquire()).toBe(true);
  });
  it('resets the failure count on success', () => {
    const breaker = new CircuitBreaker(2, 1000, () => 0);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });
});
