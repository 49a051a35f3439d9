import { describe, expect, it } from 'vitest';
import { K6LineFilter, k6Time, QuickPoints } from './k6-json-lines.ts';

const duration =
  '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-12-01T22:45:51.235975176Z","value":33.499703,"tags":{"expected_response":"true","group":"","method":"GET","name":"http://127.0.0.1:18915/x/{id}","phase":"baseline","proto":"HTTP/1.1","scenario":"default","status":"200","url":"http://127.0.0.1:18915/x"}}}';

describe('QuickPoints', () => {
  it('reads every line as JSON.parse does, in place when its tags repeat a recent line', () => {
    const quick = new QuickPoints();
    const failed = duration.replace('http_req_duration', 'http_req_failed').replace('"value":33.499703', '"value":1');
    const other = duration.replace('"phase":"baseline"', '"phase":"fault"');
    const lines = [
      duration,
      failed,
      duration.replace('"value":33.499703', '"value":1e-7').replace('51.235975176Z', '52.000001Z'),
      other,
      failed,
      '{"metric":"vus","type":"Point","data":{"time":"2026-12-01T22:45:51Z","value":4,"tags":null}}',
      '{"metric":"vus","type":"Point","data":{"time":"2026-12-01T22:45:52Z","value":5,"tags":null}}',
      duration.replace('}}}', '},"metadata":{"a":"b"}}}'),
      duration.replace('"phase":"baseline"', '"phase":"base\\"line"'),
      '{"type":"Metric","data":{"name":"x"},"metric":"x"}',
      '{"metric":"x","data":{"time":"t","value":1},"type":"Point"}',
    ];
    for (const line of lines) expect(quick.read(line), line).toEqual(JSON.parse(line));
  });
});

describe('k6Time', () => {
  it('equals Date.parse for k6 timestamps (nanoseconds, offsets, no fraction), across second changes', () => {
    const stamps = ['2026-12-01T22:45:51.235975176Z', '2026-12-01T22:45:51.2Z', '2026-12-01T22:45:52.000001Z', '2017-05-09T14:34:45.239531499+02:00', '2017-05-09T14:34:45.23-05:30', '2026-12-01T22:45:51Z', '2026-12-01T22:45:51.99Z', 'nonsense'];
    for (const s of [...stamps, ...stamps.reverse()]) expect(k6Time(s), s).toEqual(Date.parse(s));
  });
});

describe('K6LineFilter', () => {
  it('hands on the wanted lines and the non-Point ones, across reads that split lines and characters', () => {
    const lines = [
      '{"type":"Metric","data":{"name":"http_reqs"},"metric":"http_reqs"}',
      '{"metric":"http_reqs","type":"Point","data":{"time":"t","value":1,"tags":{"name":"é"}}}',
      duration.replace('/x/{id}', '/ünïcode'),
      '{"metric":"faultline_ws_lag","type":"Point","data":{"time":"t","value":3,"tags":{"phase":"a"}}}',
      '{"metric":"http_req_waiting","type":"Point","data":{"time":"t","value":1,"tags":{}}}',
    ];
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    for (const step of [1, 7, 64, bytes.length]) {
      const filter = new K6LineFilter(new Set(['http_req_duration']), ['faultline_ws_']);
      const got: string[] = [];
      for (let i = 0; i < bytes.length; i += step) filter.feed(Buffer.from(bytes.subarray(i, i + step)), (l) => got.push(l));
      expect(got, `step ${step}`).toEqual([lines[0], lines[2], lines[3]]);
    }
  });
});
