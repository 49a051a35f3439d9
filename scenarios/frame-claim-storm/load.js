// A claim storm through frames: every pre-signed frame action is pressed twice at once
// (a client resending), by many fids, on one fresh gift with fewer shares than fids.
import http from 'k6/http';
import exec from 'k6/execution';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, runUser } from '../support/app.js';

const actions = JSON.parse(open(__ENV.FRAME_ACTIONS_FILE)).actions;
const shares = Number(__ENV.STORM_SHARES || 10);

// 409 (gift fully claimed, or already claimed by this wallet) is a correct answer in a storm.
http.setResponseCallback(http.expectedStatuses(200, 201, 409));

export const options = faultline.options();

export function setup() {
  const created = http.post(`${faultline.target}/api/gifts`, JSON.stringify({ asset: 'TOKEN', amountPerShare: '1000000000000000', shares, message: 'storm' }), asUser(`storm-creator-${Date.now()}`));
  if (created.status !== 201) throw new Error(`could not create the storm's gift: HTTP ${created.status} ${created.body}`);
  faultline.waitForOrigin();
  return { giftId: created.json('gift.id') };
}

export default faultline.iteration((data) => {
  const action = actions[Math.floor(exec.scenario.iterationInTest / 2) % actions.length];
  http.post(`${faultline.target}/api/frames/gifts/${data.giftId}`, JSON.stringify(action.payload), {
    headers: { 'content-type': 'application/json' },
    timeout: '20s',
    tags: { name: 'frame-claim' },
  });
});
