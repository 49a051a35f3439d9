import { discover } from '../../../lib/discover.ts';
import { llmFaultKind } from './_fault.ts';

export default await discover(import.meta.url, llmFaultKind);
