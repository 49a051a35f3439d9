// Load plan S2: viewers search the streamer listing. Most searches are the popular few (the
// listing's cache carries them); one in twenty is a rarer one.
import exec from 'k6/execution';
import http from 'k6/http';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser } from '../support/app.js';

const POPULAR = ['', 'ada', 'bo', 'cy', 'di', 'ed', 'flo', 'gus', 'hal', 'streamer1'];

export const options = faultline.options();
export const setup = faultline.setup;

export const searchers = faultline.iteration(() => {
  const n = exec.scenario.iterationInTest;
  const query = n % 20 === 19 ? `streamer${(n * 37) % 500}` : POPULAR[n % POPULAR.length];
  const params = Object.assign(asUser(`sl-viewer-${n % 100}`), { tags: { name: 'streamers' } });
  http.get(`${faultline.target}/api/streamers?query=${encodeURIComponent(query)}`, params);
});
