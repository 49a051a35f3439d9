import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from './redact.ts';

const KEY = `0x${'ab12'.repeat(16)}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('redact', () => {
  it.each([
    ['a private key', `signer ${KEY} failed`, `signer 0x${REDACTED} failed`],
    ['a JWT', `token=${JWT}`, `token=${REDACTED}`],
    ['a bare JWT', `cookie ${JWT};`, `cookie ${REDACTED};`],
    ['a bearer token', 'Authorization: Bearer abc.def-123_XYZ', `Authorization: Bearer ${REDACTED}`],
    ['an /infura/<key> path', 'http://127.0.0.1:8545/infura/key1?x=1', `http://127.0.0.1:8545/infura/${REDACTED}?x=1`],
    ['an /alchemy/<key> path', '"http://127.0.0.1:8545/alchemy/Zx9_k-Q"', `"http://127.0.0.1:8545/alchemy/${REDACTED}"`],
    ['an Infura v3 project id', 'https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef', `https://mainnet.infura.io/v3/${REDACTED}`],
    ['an apikey query parameter', 'https://api.etherscan.io/api?module=x&apikey=SECRETKEY123&y=2', `https://api.etherscan.io/api?module=x&apikey=${REDACTED}&y=2`],
    ['an api_key after an HTML-escaped &', '/q?a=1&amp;api_key=s3cr3t&amp;b=2', `/q?a=1&amp;api_key=${REDACTED}&amp;b=2`],
    ['a postgres password', 'postgres://faultline:hunter2@127.0.0.1:5432/app', `postgres://faultline:${REDACTED}@127.0.0.1:5432/app`],
    ['a redis password with no user', 'redis://:p4ss@127.0.0.1:6379', `redis://:${REDACTED}@127.0.0.1:6379`],
  ])('removes %s', (_, input, expected) => {
    expect(redact(input, {})).toBe(expected);
  });

  it.each([
    ['a loopback URL with a port', 'http://127.0.0.1:3000/api/claim'],
    ['a k6 threshold', 'http_req_duration{phase:fault}: p(95)<2000'],
    ['a tx-count detail', '212 claims, 212 ledger rows'],
    ['a farcaster route', 'POST /v2/farcaster/frame/validate'],
    ['an address (40 hex digits)', '0x742d35Cc6634C0532925a3b844Bc454e4438f44e'],
    ['prose about first tokens', 'first token p95 2300 ms; the monkey=1 key is fine'],
  ])('leaves %s alone', (_, input) => {
    expect(redact(input, {})).toBe(input);
  });

  it('removes the value of AUTH_JWT_SECRET (and *_API_KEY) wherever it appears, also JSON- or HTML-escaped', () => {
    const env = { AUTH_JWT_SECRET: 'dev-"secret"&<jwt>-value', OPENAI_API_KEY: 'sk-test-abcdefgh', HOME: '/root' };
    const text = [
      'raw dev-"secret"&<jwt>-value',
      JSON.stringify('dev-"secret"&<jwt>-value'),
      'html dev-&quot;secret&quot;&amp;&lt;jwt&gt;-value',
      'key sk-test-abcdefgh',
      'home /root',
    ].join('\n');
    const out = redact(text, env);
    expect(out).not.toContain('secret"');
    expect(out).not.toContain('secret\\"');
    expect(out).not.toContain('&quot;secret');
    expect(out).not.toContain('sk-test-abcdefgh');
    expect(out).toContain('home /root');
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(4);
  });

  it('ignores secret env vars too short to be told apart from ordinary words', () => {
    expect(redact('postgres is up', { AUTH_JWT_SECRET: 'postgre' })).toBe('postgres is up');
  });
});
