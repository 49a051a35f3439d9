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

  const kindOf = (res) => {
    const status = res.status;
    if (status >= 500) return '5xx';
    if (status >= 400) return '4xx';
    const code = res.error_code;
    if (code === TIMEOUT) return 'timeout';
    if (status === 0 || code) return 'connection';
    if (res.timings.duration > slowMs) return 'slow';
    return undefined;
  };

  const header = (headers, name) => {
    for (const key in headers) if (key.toLowerCase() === name) return headers[key];
    return undefined;
  };

  const keep = (res, kind, name) => {
    const phase = exec.vu.metrics.tags.phase || '';
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
    exec.vu.metrics.metadata.faultline_sample = JSON.stringify(sample);
    metric.add(1, { kind });
    delete exec.vu.metrics.metadata.faultline_sample;
  };

  const look = (res, params) => {
    if (!res || typeof res !== 'object') return res;
    const kind = kindOf(res);
    if (kind) keep(res, kind, params && params.tags && params.tags.name);
    return res;
  };

  // Which argument holds the params: get/head (url, params); the rest (url, body, params); request (method, url, body, params).
  const wrap = (name, paramsAt) => {
    const original = http[name];
    if (typeof original !== 'function') return;
    http[name] = function () {
      return look(original.apply(http, arguments), arguments[paramsAt]);
    };
  };
  wrap('get', 1);
  wrap('head', 1);
  for (const name of ['post', 'put', 'patch', 'del', 'options']) wrap(name, 2);
  wrap('request', 3);
  const batch = http.batch;
  if (typeof batch === 'function') {
    http.batch = function (requests) {
      const responses = batch.call(http, requests);
      if (Array.isArray(responses)) for (const r of responses) look(r);
      else if (responses) for (const key in responses) look(responses[key]);
      return responses;
    };
  }
  const asyncRequest = http.asyncRequest;
  if (typeof asyncRequest === 'function') {
    http.asyncRequest = function () {
      const params = arguments[3];
      return asyncRequest.apply(http, arguments).then((res) => look(res, params));
    };
  }
  http.__faultlineSamples = true;
}
