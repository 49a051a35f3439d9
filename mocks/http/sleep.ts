/**
 * Waits `ms`, or stops waiting as soon as the client hangs up (`signal`, a handler's
 * request.signal): a delay fault must not hold a timer for a request nobody awaits.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
