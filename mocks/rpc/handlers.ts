import { http, HttpResponse, type RequestHandler } from 'msw';
import { controlHandlers } from '../control/handlers.ts';
import { HANG, RpcGateway, type RpcGatewayOptions } from './gateway.ts';

/**
 * The RPC gateway's msw handlers: the control API, then one POST route per provider
 * (`/<provider>/<key>` or `/<provider>`). Served over HTTP by mocks/rpc/main.ts, or reused
 * in-process by a test suite.
 * @example const server = setupServer(...rpcHandlers({ seed: 1, anvilUrl: 'http://127.0.0.1:8545' })); server.listen();
 */
export function rpcHandlers(options: RpcGatewayOptions | RpcGateway): RequestHandler[] {
  const gateway = options instanceof RpcGateway ? options : new RpcGateway(options);
  const names = [...gateway.providers.keys()].join('|');
  // Anchored on the path so the control API (`/__faultline/...`) never reaches a provider route.
  const route = new RegExp(`^[a-z]+://[^/]+/(?:${names})(?:/[^/?#]*)?/?(?:[?#].*)?$`);
  return [
    // Before the shared control handlers: a reset here also refills limits and rewinds the random streams.
    http.post('*/__faultline/reset', () => {
      gateway.reset();
      return new HttpResponse(null, { status: 204 });
    }),
    ...controlHandlers(gateway.controller),
    http.post(route, async ({ request }) => {
      const { name, key } = gateway.route(new URL(request.url).pathname)!;
      const answer = await gateway.handle(name, key, await request.text());
      if (answer === HANG) {
        await new Promise<void>((resolve) => {
          if (request.signal.aborted) resolve();
          request.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        return HttpResponse.error();
      }
      return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
    }),
  ];
}
