import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { FaultController } from './control/faults.ts';
import farcasterFaults from './farcaster/faults/index.ts';
import { llmFaultKind } from './llm/faults/_fault.ts';
import llmFaults from './llm/faults/index.ts';
import paymentsFaults from './payments/faults/index.ts';
import { transactionHash } from './rpc/faults/dropped-transactions.ts';
import rpcFaults from './rpc/faults/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const registries = { rpc: rpcFaults, llm: llmFaults, farcaster: farcasterFaults, payments: paymentsFaults };

describe('the mock fault registries are their folders', () => {
  it('hold one fault per file, named after it', () => {
    expect(Object.keys(rpcFaults)).toEqual(['dropped-transactions', 'error-rate', 'hang', 'latency', 'malformed', 'nonce-too-low', 'stale-head', 'throttle']);
    expect(Object.keys(llmFaults)).toEqual(['generation', 'malformed-sse', 'overloaded', 'rate-limit', 'slow-first-token', 'stall', 'stream-cut']);
    expect(Object.keys(farcasterFaults)).toEqual(['down', 'slow', 'stale-verifications', 'validation-errors']);
    expect(Object.keys(paymentsFaults)).toEqual(['bad-signature', 'delayed-delivery', 'duplicate-delivery', 'out-of-order', 'replay', 'server-error']);
  });

  it('give every sampled fault a rate and every RPC fault methods, and the others neither', () => {
    const unsampled = ['stale-head', 'generation', 'down'];
    for (const [mock, faults] of Object.entries(registries)) {
      for (const fault of Object.values(faults)) {
        const takesRate = fault.params.safeParse({ ...minimal[fault.type], rate: 0.5 }).success;
        expect([mock, fault.type, takesRate]).toEqual([mock, fault.type, !unsampled.includes(fault.type)]);
        expect(fault.sampled).toBe(!unsampled.includes(fault.type));
        const takesMethods = fault.params.safeParse({ ...minimal[fault.type], methods: ['eth_call'] }).success;
        expect([mock, fault.type, takesMethods]).toEqual([mock, fault.type, mock === 'rpc']);
      }
    }
  });

  it('keep viem and @farcaster/core out of fault files: a mock imports its whole registry at start-up', () => {
    for (const mock of Object.keys(registries)) {
      const dir = join(here, mock, 'faults');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
        const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
        expect(imports.filter((i) => /^(viem|@farcaster\/core)(\/|$)/.test(i!)), `${mock}/faults/${file}`).toEqual([]);
      }
    }
  });

  it('register a new fault from one new file, and forget it when the file goes', async () => {
    const dir = join(here, 'llm', 'faults');
    const file = join(dir, 'zz-test-fault.ts');
    // A fresh copy of the index module each time (the query), which lists the folder again.
    const fresh = async () => (await import(/* @vite-ignore */ `${new URL('./llm/faults/index.ts', import.meta.url).href}?t=${Date.now()}-${Math.random()}`)).default as typeof llmFaults;
    const source = [
      "import { z } from 'zod';",
      "import { defineLlmFault } from './_fault.ts';",
      '',
      '// Written and deleted by mocks/faults.test.ts; if you see this file, that test was interrupted: delete it.',
      "export default defineLlmFault({ type: 'zz-test-fault', description: 'a teapot', params: z.strictObject({ status: z.number().int().default(418) }), refuse: (_r, { params }) => new Response('teapot', { status: params.status }) });",
      '',
    ].join('\n');
    // Written under a name discover skips, then renamed: another suite listing the folder never sees half a file.
    writeFileSync(`${file}.partial`, source);
    try {
      renameSync(`${file}.partial`, file);
      const withIt = await fresh();
      expect(Object.keys(withIt)).toEqual([...Object.keys(llmFaults), 'zz-test-fault']);
      expect(llmFaultKind.is(withIt['zz-test-fault'])).toBe(true);
      // The controller takes it like any other: its schema with the shared rate, its hook.
      const controller = new FaultController('llm', withIt, 1);
      expect(controller.apply({ type: 'zz-test-fault', rate: 1 }).params).toEqual({ status: 418, rate: 1 });
      const refused = controller.consult(controller.sample('gpt-4o-mini'), 'refuse', undefined as never);
      expect(refused?.status).toBe(418);
    } finally {
      rmSync(file, { force: true });
      rmSync(`${file}.partial`, { force: true });
    }
    expect(Object.keys(await fresh())).toEqual(Object.keys(llmFaults));
  });
});

describe('dropped-transactions', () => {
  it("answers the hash viem's keccak256 gives the signed transaction", async () => {
    const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const raw = await account.signTransaction({ chainId: 31337, type: 'eip1559', to: account.address, value: 1n, nonce: 7, gas: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n });
    expect(transactionHash(raw)).toBe(keccak256(raw));
    expect(transactionHash('0xABCDEF')).toBe(keccak256('0xABCDEF'));
    expect(transactionHash('0xabc')).toBe(keccak256('0xabc')); // odd length: a leading 0, as viem does
  });
});

/** The least each fault's own params need to parse. */
const minimal: Record<string, object> = {
  'error-rate': { status: 503 },
  latency: { distribution: { kind: 'fixed', ms: 1 } },
  'stale-head': { blocks: 1 },
  'slow-first-token': { ttft: { kind: 'fixed', ms: 1 } },
  generation: { tokensPerSecond: 10 },
  slow: { latency: { kind: 'fixed', ms: 1 } },
};
