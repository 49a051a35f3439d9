import { describe, expect, it } from 'vitest';
import { FaultlineError } from '../lib/errors.ts';
import { MockControlError } from './control/client.ts';
import { ControlError } from './control/faults.ts';
import { FarcasterOptionsInvalidError } from './farcaster/options.ts';
import { WalletFundingError } from './farcaster/funding.ts';
import { WireFormatError } from './farcaster/wire.ts';
import { LlmOptionsInvalidError } from './llm/options.ts';
import { StreamCutError } from './llm/stream.ts';
import { UpstreamUnavailableError } from './rpc/upstream.ts';

describe('errors under mocks/', () => {
  // The CLI and the runner tell Faultline's own errors (bad input, a dead dependency) from bugs by this base class.
  it.each([
    [new ControlError('rate', 'a number'), 'ControlError'],
    [new MockControlError('POST /faults: bad', 400, 'rate', 'a number'), 'MockControlError'],
    [new UpstreamUnavailableError('http://127.0.0.1:9', new Error('ECONNREFUSED')), 'UpstreamUnavailableError'],
    [new LlmOptionsInvalidError(['ttft: bad']), 'LlmOptionsInvalidError'],
    [new StreamCutError(3), 'StreamCutError'],
    [new WireFormatError('truncated varint'), 'WireFormatError'],
    [new FarcasterOptionsInvalidError(['users: bad']), 'FarcasterOptionsInvalidError'],
    [new WalletFundingError('http://127.0.0.1:8545', 'refused'), 'WalletFundingError'],
  ])('%s is a FaultlineError named %s', (error, name) => {
    expect(error).toBeInstanceOf(FaultlineError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
  });

  it('keeps fields and messages', () => {
    expect(new ControlError('rate', 'a number')).toMatchObject({ status: 400, field: 'rate', expected: 'a number', message: 'rate: expected a number' });
    expect(new StreamCutError(3).message).toBe('stream-cut fault: connection closed after 3 chunks');
    const cause = new Error('ECONNREFUSED');
    expect(new UpstreamUnavailableError('http://127.0.0.1:9', cause)).toMatchObject({ cause, message: 'anvil at http://127.0.0.1:9 did not answer (ECONNREFUSED); is the anvil service up?' });
  });
});
