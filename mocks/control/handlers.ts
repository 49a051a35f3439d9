import { http, HttpResponse, type RequestHandler } from 'msw';
import { ControlError, type FaultController } from './faults.ts';

/** The control API every mock serves under `/__faultline/` (see mocks/control/client.ts). */
export function controlHandlers(controller: FaultController): RequestHandler[] {
  return [
    http.get('*/__faultline/health', () => HttpResponse.json({ ok: true, service: controller.service, seed: controller.seed })),
    http.get('*/__faultline/faults', () => HttpResponse.json({ faults: controller.list(), types: controller.types })),
    http.post('*/__faultline/faults', async ({ request }) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return badRequest(new ControlError('(body)', 'valid JSON'));
      }
      try {
        return HttpResponse.json(controller.apply(body), { status: 201 });
      } catch (error) {
        if (error instanceof ControlError) return badRequest(error);
        throw error;
      }
    }),
    http.delete('*/__faultline/faults/:id', ({ params }) =>
      controller.clear(String(params.id))
        ? new HttpResponse(null, { status: 204 })
        : HttpResponse.json({ error: { message: `no active fault with id ${String(params.id)}` } }, { status: 404 }),
    ),
    http.delete('*/__faultline/faults', () => {
      controller.clear();
      return new HttpResponse(null, { status: 204 });
    }),
    http.get('*/__faultline/stats', () => HttpResponse.json(controller.stats())),
    http.post('*/__faultline/reset', () => {
      controller.reset();
      return new HttpResponse(null, { status: 204 });
    }),
  ];
}

function badRequest(error: ControlError): Response {
  return HttpResponse.json({ error: { message: error.message, field: error.field, expected: error.expected } }, { status: 400 });
}
