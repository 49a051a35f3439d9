import { discover } from '../../../lib/discover.ts';
import { rpcFaultKind } from './_fault.ts';

export default await discover(import.meta.url, rpcFaultKind);
