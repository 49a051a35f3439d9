// Users claim gifts; every claim pays on chain through the app's RPC provider(s).
import http from 'k6/http';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, giftFor, iterationIndex, runUser } from '../support/app.js';

export const options = faultline.options();
export const setup = faultline.setup;

export default faultline.iteration(() => {
  const user = runUser('rpc-throttle');
  http.post(`${faultline.target}/api/gifts/${giftFor(iterationIndex())}/claim`, '{}', asUser(user, { 'idempotency-key': user }));
});
