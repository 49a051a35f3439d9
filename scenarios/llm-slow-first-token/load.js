import * as faultline from '../../runner/k6/faultline.js';
import { chat } from '../support/chat.js';

export const options = faultline.options();
export const setup = faultline.setup;
export default faultline.iteration(chat);
