import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFixture } from './testing/fixture.ts';
import { writeReports } from './index.ts';
import { useTempDirs } from './testing/temp-dir.ts';
import { parseXml } from './testing/xml-parse.ts';

// Each secret has a distinctive core, so "appears in no file" can be checked by substring.
const PRIVATE_KEY = `0x${'4c0883a69102937d6231471b5dbb6204fe512961708279f2e3e8a5d4b8e3e8a5'}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJmaWQiOjQyfQ.Zq3kVvUjwtSIGnAtUReXyz0123456789abcdEFGH';
const INFURA_KEY = 'infurakey7d3f9a1b2c4e';
const QUERY_KEY = 'querykeyQ8w7e6r5t4';
const DB_PASSWORD = 'dbpassW0rd-zx81';
const BEARER = 'bearertokenAbC123dEf456';
const JWT_SECRET = 'jwt-secret-from-env-55aa'; // AUTH_JWT_SECRET's value, plain text with no telltale shape
const ALCHEMY_KEY = 'alchemyKEY_9z8y7x';
const CORES = [PRIVATE_KEY.slice(2), JWT.slice(3, 30), INFURA_KEY, QUERY_KEY, DB_PASSWORD, BEARER, JWT_SECRET, ALCHEMY_KEY];

function plantedResult() {
  const result = runFixture({ pass: false, runId: 'run-with-secrets' });
  result.target = `http://127.0.0.1:8545/infura/${INFURA_KEY}?chain=1&apikey=${QUERY_KEY}`;
  result.description = `Replays the outage seen on http://127.0.0.1:8545/alchemy/${ALCHEMY_KEY} <with "quotes"> & ampersands`;
  result.timeline[0] = { ...result.timeline[0]!, ok: false, error: `signer ${PRIVATE_KEY} rejected: Authorization: Bearer ${BEARER}` };
  result.invariants[2]!.detail = `session ${JWT} saw postgres://app:${DB_PASSWORD}@127.0.0.1:5432/app`;
  result.reasons.push(`JWT verification failed with secret ${JWT_SECRET}`);
  result.thresholds[0]!.metric = `http_req_duration{url:http://127.0.0.1:3000/rpc?api_key=${QUERY_KEY}}`;
  result.context = {
    ...result.context,
    DATABASE_URL: `postgres://app:${DB_PASSWORD}@127.0.0.1:5432/app`,
    RPC_URL: `http://127.0.0.1:8545/infura/${INFURA_KEY}`,
    DEPLOYER_KEY: PRIVATE_KEY,
    AUTH_JWT_SECRET: JWT_SECRET,
  };
  return result;
}

const tempDir = useTempDirs();

describe('no secrets in any report', () => {
  it('a secret planted in messages, the target URL, thresholds and context appears in no written file', async () => {
    const dir = tempDir();
    const stepSummary = join(dir, 'step-summary.md');
    const env = { AUTH_JWT_SECRET: JWT_SECRET, GITHUB_STEP_SUMMARY: stepSummary };
    const result = plantedResult();
    const paths = await writeReports(result, dir, { env });

    // The planted result really carries every secret, so the check below can fail.
    const unredacted = JSON.stringify(result);
    for (const core of CORES) expect(unredacted).toContain(core);

    const files = [...readdirSync(paths.dir).map((f) => join(paths.dir, f)), paths.overviewMd, stepSummary];
    expect(files).toHaveLength(5 + 2); // five run files, OVERVIEW.md, the step summary
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const core of CORES) expect(text.includes(core), `${core} in ${file}`).toBe(false);
    }

    // Redaction keeps every format intact.
    const summary = JSON.parse(readFileSync(paths.summaryJson, 'utf8'));
    expect(summary.target).toBe('http://127.0.0.1:8545/infura/[REDACTED]?chain=1&apikey=[REDACTED]');
    expect(summary.context.DATABASE_URL).toBe('postgres://app:[REDACTED]@127.0.0.1:5432/app');
    expect(() => parseXml(readFileSync(paths.junitXml, 'utf8'))).not.toThrow();
    expect(readFileSync(paths.reportHtml, 'utf8')).toContain('&lt;with &quot;quotes&quot;&gt; &amp; ampersands');
  });
});
