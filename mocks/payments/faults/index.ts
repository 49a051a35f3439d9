import { discover } from '../../../lib/discover.ts';
import { paymentsFaultKind } from './_fault.ts';

export default await discover(import.meta.url, paymentsFaultKind);
