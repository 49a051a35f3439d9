// Chat-room readers (3 of 4 iterations) and gift claimers (1 of 4) while Redis may be unreachable.
import http from 'k6/http';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, iterationIndex, runUser } from '../support/app.js';
import { claim } from '../support/claims.js';

export const options = faultline.options();
export const setup = faultline.setup;

export default faultline.iteration(() => {
  const i = iterationIndex();
  if (i % 4 === 3) return claim();
  const params = asUser(runUser('redis-reader'));
  params.timeout = '5s';
  params.tags = { name: 'room-read' };
  http.get(`${faultline.target}/api/chat/rooms/general/messages?limit=${5 + (i % 10)}`, params);
});
