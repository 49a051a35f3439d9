// Viewers poll a streamer's live event (GET /api/events/live) at a steady rate and measure how
// old what they got is: staleness = receipt − the version's update time.
import http from 'k6/http';
import { Trend } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';

/** How old the live event a poll got was, ms (receipt − its update time). */
export const staleness = new Trend('live_staleness', true);
const streamer = __ENV.STREAMER_ID || '1';

export const options = faultline.options();
export const setup = faultline.setup;

export const pollers = faultline.iteration(() => {
  const response = http.get(`${faultline.target}/api/events/live?streamerId=${streamer}`, { timeout: '3s', tags: { name: 'live' } });
  if (response.status !== 200) return;
  staleness.add(Math.max(0, Date.now() - response.json('updatedAt')));
});
