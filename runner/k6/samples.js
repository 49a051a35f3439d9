// Failure samples, the k6 side of Faultline's diagnostics. Imported by faultline.js: it
// wraps the functions of k6/http's default export (http.get, http.post, ..., http.batch)
// so each response is looked at once; a failed or slow one is kept, up to `perKind` per
// phase and kind in each VU (the runner keeps the first `perKind` of all VUs). A kept
// sample is one Counter point whose metadata carries it: it reaches the runner through
// k6's JSON output, like every other point. Per request this costs a few property reads.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';

const TIMEOUT = 1050;

/** Starts sampling with the plan's settings (`{ perKind, slowMs, header, bodyBytes }`); without settings it does nothing. */
export function installFailureSamples(settings) {
  if (!settings || !(settings.perKind > 0) || http.__faultlineSamples) return;
  const metric = new Counter('faultline_failure_sample');
  const kept = {};
  const extra = settings.header ? settings.header.toLowerCase() : undefined;
  const bodyBytes = settings.bodyBytes || 0;
  const slowMs = settings.slowMs || Infinity;

  // Cheapest first: most responses are a 2xx or 3xx that needs only its status read. Slow is judged on the
  // call's wall time (two Date.now()), since reading res.timings converts the whole timings object (~15 µs).
  const kindOf = (res, elapsedMs) => {
    const status = res.status;
    if (status >= 400) return status >= 500 ? '5xx' : '4xx';
    if (status > 0) return elapsedMs > slowMs ? 'slow' : undefined;
    return res.error_code === TIMEOUT ? 'timeout' : 'connection';
  };

  const header = (headers, name) => {
    for (const key in headers) if (key.toLowerCase() === name) return headers[key];
    return undefined;
  };

  // exec.vu builds a new object on every access (about 60 µs): taken once, on the first sample.
  let vu;
  const keep = (res, kind, name) => {
    vu = vu || exec.vu;
    const phase = vu.metrics.tags.phase || '';
    const slot = phase + ' ' + kind;
    const count = kept[slot] || 0;
    if (count >= settings.perKind) return;
    kept[slot] = count + 1;
    const headers = res.headers || {};
    let body = res.body;
    if (body !== null && body !== undefined && typeof body !== 'string') body = '(binary body)';
    const sample = {
      t: Date.now(),
      kind,
      method: (res.request && res.request.method) || '',
      name: name || res.url || '',
      status: res.status,
      code: res.error_code || undefined,
      error: res.error || undefined,
      ms: Math.round(res.timings.duration * 10) / 10,
      rid: header(headers, 'x-request-id'),
      tp: header(headers, 'traceparent'),
      hv: extra ? header(headers, extra) : undefined,
      body: body && bodyBytes ? body.slice(0, bodyBytes) : undefined,
    };
    vu.metrics.metadata.faultline_sample = JSON.stringify(sample);
    metric.add(1, { kind });
    delete vu.metrics.metadata.faultline_sample;
  };

  const look = (res, params, startedAt) => {
    if (!res || typeof res !== 'object') return res;
    const kind = kindOf(res, startedAt === undefined ? 0 : Date.now() - startedAt);
    if (kind) keep(res, kind, params && params.tags && params.tags.name);
    return res;
  };

  // Fixed arities and direct calls, not arguments + apply(): in k6's JavaScript engine the latter costs microseconds per request.
  const wrap1 = (name) => {
    const original = http[name];
    if (typeof original === 'function') http[name] = (url, params) => {
        const startedAt = Date.now();
        return look(original(url, params), params, startedAt);
      };
  };
  const wrap2 = (name) => {
    const original = http[name];
    if (typeof original === 'function') http[name] = (url, body, params) => {
        const startedAt = Date.now();
        return look(original(url, body, params), params, startedAt);
      };
  };
  wrap1('get');
  wrap1('head');
  for (const name of ['post', 'put', 'patch', 'del', 'options']) wrap2(name);
  const request = http.request;
  if (typeof request === 'function') http.request = (method, url, body, params) => {
      const startedAt = Date.now();
      return look(request(method, url, body, params), params, startedAt);
    };
  const batch = http.batch;
  if (typeof batch === 'function') {
    http.batch = function (requests) {
      const responses = batch(requests);
      if (Array.isArray(responses)) for (const r of responses) look(r);
      else if (responses) for (const key in responses) look(responses[key]);
      return responses;
    };
  }
  const asyncRequest = http.asyncRequest;
  if (typeof asyncRequest === 'function') {
    http.asyncRequest = (method, url, body, params) => {
      const startedAt = Date.now();
      return asyncRequest(method, url, body, params).then((res) => look(res, params, startedAt));
    };
  }
  http.__faultlineSamples = true;
}
