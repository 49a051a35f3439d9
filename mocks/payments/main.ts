import { runMock } from '../http/main.ts';
import { createPaymentsMock } from './handlers.ts';
import type { PaymentsOptionsInput } from './options.ts';

// The payments provider mock as a process of env:up (see mocks/payments/service.ts).
await runMock<PaymentsOptionsInput>('payments', ({ seed, options }) => {
  const { port: _port, ...rest } = options ?? {};
  const mock = createPaymentsMock({ ...rest, seed });
  return { handlers: mock.handlers, close: mock.close };
});
