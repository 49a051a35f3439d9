import { hash, type Random, seededRandom } from '../control/random.ts';
import type { Length } from './options.ts';

// A fixed vocabulary: answers read like text, and the same seed always yields the same words.
const VOCABULARY = (
  'the a an of to and in that is for it as with on be by this are from at or not have has can will which ' +
  'chain block transaction wallet address contract token gas fee nonce hash signature provider network node ' +
  'user frame hub message cast channel follower reply reaction profile verification signer key account ' +
  'request response latency timeout retry backoff limit error status result value data state cache queue ' +
  'system service server client model stream answer question context prompt output input record event ' +
  'first next last every some many few most other same new old fast slow high low safe simple clear ready ' +
  'returns sends reads writes checks keeps makes takes gives shows needs uses finds holds runs waits fails ' +
  'today later again always often never usually quickly slowly here there then now also only just still'
).split(' ');

/**
 * The tokens of one completion: words from the vocabulary, drawn from a random stream
 * derived from the seed and the request, so the same prompt gets the same answer.
 */
export function completionTokens(random: Random, count: number): string[] {
  const tokens: string[] = [];
  let sentenceLeft = 0;
  for (let i = 0; i < count; i++) {
    const word = VOCABULARY[random.int(VOCABULARY.length)]!;
    const startsSentence = sentenceLeft === 0;
    if (startsSentence) sentenceLeft = 6 + random.int(10);
    sentenceLeft--;
    const text = startsSentence ? word[0]!.toUpperCase() + word.slice(1) : word;
    const end = sentenceLeft === 0 || i === count - 1 ? '.' : '';
    tokens.push((i === 0 ? '' : ' ') + text + end);
  }
  return tokens;
}

/** Draws a completion length from a fixed count or a [min, max] range. */
export function drawLength(length: Length, random: Random): number {
  return typeof length === 'number' ? length : length.min + random.int(length.max - length.min + 1);
}

/** The random stream for one request's content: seed + model + messages (+ how often this prompt was seen). */
export function contentRandom(seed: number, key: string): Random {
  return seededRandom(hash(`${seed}\u0000${key}`));
}

/** Rough token count of a prompt, like tiktoken's ~4 characters per token plus per-message overhead. */
export function promptTokens(messages: { content?: unknown }[]): number {
  let total = 3;
  for (const message of messages) total += 4 + Math.ceil(textOf(message.content).length / 4);
  return total;
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}
