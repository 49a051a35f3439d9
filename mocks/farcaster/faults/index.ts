import { discover } from '../../../lib/discover.ts';
import { farcasterFaultKind } from './_fault.ts';

export default await discover(import.meta.url, farcasterFaultKind);
