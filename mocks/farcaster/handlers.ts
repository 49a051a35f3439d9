import type { Message } from '@farcaster/core';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { type AppliedFault, FaultController } from '../control/faults.ts';
import { controlHandlers } from '../control/handlers.ts';
import { sleep } from '../http/sleep.ts';
import { type Api, FARCASTER_TARGETS, type FarcasterFault } from './faults/_fault.ts';
import farcasterFaults from './faults/index.ts';
import { neynarUser, validatedFrameAction } from './neynar.ts';
import { type FarcasterOptions, type FarcasterOptionsInput, parseFarcasterOptions } from './options.ts';
import { deriveKey, FarcasterRegistry, type FarcasterUser, type Hex } from './registry.ts';
import { hubError, validateMessageBytes } from './validation.ts';
import { MESSAGE_TYPE_FRAME_ACTION } from './wire.ts';

// @farcaster/core (with viem and faker) takes about a second of CPU to import: only the
// routes that build or render full messages load it, on first use. Validation does not.
let core: Promise<typeof import('./messages.ts')> | undefined;
/** Loads the message builders (and @farcaster/core); call it after start-up to warm them. */
export const loadMessages = () => (core ??= import('./messages.ts'));

export interface FarcasterHubInput extends FarcasterOptionsInput {
  /** Every random choice (registry, fault sampling) comes from it. */
  seed?: number;
}

/** A Farcaster hub mock in-process: its msw handlers, its fault controller and its user registry. */
export interface FarcasterHub {
  handlers: RequestHandler[];
  controller: FaultController<FarcasterFault>;
  registry: FarcasterRegistry;
  /** The parsed options, defaults filled in. */
  options: FarcasterOptions;
}

/** A route's answer, given the faults of its request (FaultController.sample). */
type Answer = (request: Request, url: URL, faults: readonly AppliedFault<FarcasterFault>[]) => Promise<Response> | Response;

/**
 * Builds the Farcaster hub mock: Hubble's HTTP API under /v1, Neynar-style endpoints under
 * /v2/farcaster, the control API under /__faultline.
 * @example const hub = createFarcasterHub({ seed: 7, users: 20 }); setupServer(...hub.handlers).listen();
 */
export function createFarcasterHub(input: FarcasterHubInput = {}): FarcasterHub {
  const { seed = 1, ...rest } = input;
  const options = parseFarcasterOptions(rest);
  const registry = new FarcasterRegistry(seed, options);
  const controller = new FaultController('farcaster', farcasterFaults, seed, { targets: FARCASTER_TARGETS });
  const userData = new Map<number, Promise<Message[]>>();
  const verifications = new Map<number, Promise<Message[]>>();
  const cached = (cache: Map<number, Promise<Message[]>>, user: FarcasterUser, kind: 'userDataMessages' | 'verificationMessages') => {
    let messages = cache.get(user.fid);
    if (!messages) cache.set(user.fid, (messages = loadMessages().then((m) => m[kind](user, registry.network))));
    return messages;
  };

  /** Visible verified wallets: a stale-verifications fault hides the newest. */
  const visibleAddresses = (user: FarcasterUser, faults: readonly AppliedFault<FarcasterFault>[]): Hex[] =>
    (faults.length > 0 && controller.consult(faults, 'verifications', user)) || user.verifiedAddresses;

  /** Wraps a route with request counting, the request's faults, and those that refuse or delay it (faults/_fault.ts). */
  const route =
    (api: Api, name: string, answer: Answer) =>
    async ({ request }: { request: Request }) => {
      controller.countRequest(name);
      const faults = controller.sample(api);
      if (faults.length > 0) {
        const faultRequest = { api, request };
        const refused = controller.consult(faults, 'refuse', faultRequest);
        if (refused) {
          controller.countRefusal({ api, status: String(refused.status) });
          return refused;
        }
        const delayMs = controller.consult(faults, 'delay', faultRequest);
        if (delayMs !== undefined) await sleep(delayMs, request.signal);
      }
      return answer(request, new URL(request.url), faults);
    };

  /** The validation-errors fault: undefined = let the genuine verdict through. */
  const validationFault = (api: Api, request: Request, faults: readonly AppliedFault<FarcasterFault>[]): 'invalid' | 'error' | undefined =>
    faults.length > 0 ? controller.consult(faults, 'validation', { api, request }) : undefined;

  const handlers: RequestHandler[] = [
    ...controlHandlers(controller),

    http.get(
      '*/v1/info',
      route('hub', 'GET /v1/info', () =>
        HttpResponse.json({
          version: '1.19.1',
          isSyncing: false,
          nickname: 'faultline-hub',
          rootHash: Buffer.from(deriveKey(seed, 'root-hash')).toString('hex'),
          dbStats: { numMessages: registry.users.length * (4 + options.verificationsPerUser), numFidRegistrations: registry.users.length, approxSize: registry.users.length * 4096 },
          peerId: `12D3KooW${Buffer.from(deriveKey(seed, 'peer-id')).toString('base64url').slice(0, 44)}`,
          hubOperatorFid: options.firstFid,
        }),
      ),
    ),

    http.get(
      '*/v1/userDataByFid',
      route('hub', 'GET /v1/userDataByFid', async (_request, url) => {
        const user = lookUp(url);
        if (user instanceof Response) return user;
        const messages = user ? await cached(userData, user, 'userDataMessages') : [];
        const { hubJson, userDataTypeOf } = await loadMessages();
        const type = url.searchParams.get('user_data_type');
        if (type !== null) {
          const wanted = messages.find((m) => m.data?.userDataBody?.type === userDataTypeOf(type));
          return wanted ? HttpResponse.json(hubJson(wanted)) : HttpResponse.json(hubError('not_found', 'NotFound: UserDataAdd not found'), { status: 400 });
        }
        return HttpResponse.json({ messages: messages.map(hubJson), nextPageToken: '' });
      }),
    ),

    http.get(
      '*/v1/verificationsByFid',
      route('hub', 'GET /v1/verificationsByFid', async (_request, url, faults) => {
        const user = lookUp(url);
        if (user instanceof Response) return user;
        const visible = user ? new Set(visibleAddresses(user, faults)) : new Set<Hex>();
        const messages = user ? (await cached(verifications, user, 'verificationMessages')).filter((_m, i) => visible.has(user.wallets[i]!.address)) : [];
        const { hubJson } = await loadMessages();
        const address = url.searchParams.get('address');
        if (address !== null) {
          const wanted = messages.find((m) => (hubJson(m) as any).data.verificationAddAddressBody.address === address.toLowerCase());
          return wanted ? HttpResponse.json(hubJson(wanted)) : HttpResponse.json(hubError('not_found', 'NotFound: VerificationAddEthAddress not found'), { status: 400 });
        }
        return HttpResponse.json({ messages: messages.map(hubJson), nextPageToken: '' });
      }),
    ),

    http.post(
      '*/v1/validateMessage',
      route('hub', 'POST /v1/validateMessage', async (request, _url, faults) => {
        const contentType = request.headers.get('content-type');
        if (contentType !== 'application/octet-stream') {
          return HttpResponse.json({ error: 'Unsupported Media Type', errorDetail: `Content-Type ${contentType} is not supported` }, { status: 400 });
        }
        const bytes = new Uint8Array(await request.arrayBuffer());
        const outcome = validateMessageBytes(registry, bytes);
        if ('unparseable' in outcome) {
          return HttpResponse.json(
            { error: 'Could not parse Message. This API accepts only Message protobufs encoded into bytes (application/octet-stream)', errorDetail: outcome.unparseable },
            { status: 400 },
          );
        }
        const fault = validationFault('hub', request, faults);
        if (fault === 'error') return HttpResponse.json({ error: 'validateMessage failed: hub engine unavailable' }, { status: 500 });
        if (fault === 'invalid') return HttpResponse.json(hubError('bad_request.validation_failure', 'invalid signature'), { status: 400 });
        if (!outcome.valid) return HttpResponse.json(outcome.error, { status: 400 });
        return HttpResponse.json({ valid: true, message: (await loadMessages()).hubJsonOfBytes(bytes) });
      }),
    ),

    http.post(
      '*/v2/farcaster/frame/validate',
      route('neynar', 'POST /v2/farcaster/frame/validate', async (request, _url, faults) => {
        const body = (await request.json().catch(() => undefined)) as { message_bytes_in_hex?: unknown } | undefined;
        const hex = typeof body?.message_bytes_in_hex === 'string' ? body.message_bytes_in_hex.replace(/^0x/, '') : undefined;
        if (hex === undefined || !/^([0-9a-fA-F]{2})+$/.test(hex)) {
          return HttpResponse.json({ code: 'InvalidField', message: 'message_bytes_in_hex must be a hex string of message bytes', property: 'message_bytes_in_hex', status: 400 }, { status: 400 });
        }
        const outcome = validateMessageBytes(registry, Buffer.from(hex, 'hex'));
        const fault = validationFault('neynar', request, faults);
        if (fault === 'error') return HttpResponse.json({ code: 'InternalServerError', message: 'Failed to validate frame action', status: 500 }, { status: 500 });
        if (fault === 'invalid' || !outcome.valid || outcome.data.type !== MESSAGE_TYPE_FRAME_ACTION) return HttpResponse.json({ valid: false });
        const user = registry.user(outcome.data.fid)!;
        const interactor = neynarUser(user, visibleAddresses(user, faults));
        return HttpResponse.json({ valid: true, action: validatedFrameAction(registry, outcome.data, interactor) });
      }),
    ),

    http.get(
      '*/v2/farcaster/user/bulk',
      route('neynar', 'GET /v2/farcaster/user/bulk', (_request, url, faults) => {
        const fids = (url.searchParams.get('fids') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
        if (fids.length === 0 || fids.length > 100 || fids.some((f) => !/^\d+$/.test(f))) {
          return HttpResponse.json({ code: 'InvalidField', message: 'fids must be 1 to 100 comma-separated fids', property: 'fids', status: 400 }, { status: 400 });
        }
        const users = fids.map((f) => registry.user(Number(f))).filter((u): u is FarcasterUser => u !== undefined);
        return HttpResponse.json({ users: users.map((u) => neynarUser(u, visibleAddresses(u, faults))) });
      }),
    ),
  ];

  /** The fid query parameter: a user, undefined (not registered: an empty page, as Hubble answers), or a 400. */
  function lookUp(url: URL): FarcasterUser | undefined | Response {
    const fid = url.searchParams.get('fid');
    if (fid === null || !/^\d+$/.test(fid)) return HttpResponse.json(hubError('bad_request.validation_failure', 'fid is missing or not a number'), { status: 400 });
    return registry.user(Number(fid));
  }

  return { handlers, controller, registry, options };
}

/** The msw handlers of a Farcaster hub mock, for `setupServer(...farcasterHandlers({ seed }))`. */
export function farcasterHandlers(input: FarcasterHubInput = {}): RequestHandler[] {
  return createFarcasterHub(input).handlers;
}
