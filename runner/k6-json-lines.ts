/**
 * The fast path through k6's `--out json` file (≈ 13 lines and 3.5 KB per request, of which
 * the runner needs 2–3 lines): lines are cut from the raw bytes and only those of wanted
 * metrics are decoded; a wanted line whose tags repeat a recent line's is read without
 * JSON.parse; and
 * timestamps are parsed once per second of the run. Anything unusual goes the slow, exact way.
 */

/** A k6 output line: a Point (or a Metric declaration). `tags` may be null in the file. */
export interface K6Point {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string>; metadata?: Record<string, string> };
}

const HEAD = '{"metric":"';
const AFTER_NAME = '","type":"Point","data":{"time":"';
const VALUE = ',"value":';
const TAGS = ',"tags":';

/**
 * Cuts k6 output into lines (across reads) and hands on those whose metric is wanted (by
 * name, or by one of `prefixes`), and every line that is not a Point line in k6's usual
 * layout. The others are not decoded at all.
 */
export class K6LineFilter {
  private pending: Buffer = Buffer.alloc(0);
  /** first byte × 256 + name length of each wanted name: the cheap test before a name is decoded. */
  private readonly shapes = new Set<number>();
  private readonly firstBytes: Set<number>;

  constructor(
    private readonly wanted: Set<string>,
    private readonly prefixes: string[] = [],
  ) {
    for (const name of wanted) this.shapes.add(name.charCodeAt(0) * 256 + name.length);
    this.firstBytes = new Set(prefixes.map((p) => p.charCodeAt(0)));
  }

  /** Feeds bytes read from the file (the buffer may be reused after the call). */
  feed(chunk: Buffer, each: (line: string) => void): void {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      if (this.passes(data, start, nl)) each(data.toString('utf8', start, nl));
      start = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
  }

  private passes(data: Buffer, start: number, end: number): boolean {
    // `{"m`: a Point line in k6's layout; anything else (Metric declarations, other layouts) is looked at.
    if (end - start < HEAD.length + 1 || data[start] !== 0x7b || data[start + 1] !== 0x22 || data[start + 2] !== 0x6d) return end > start;
    const from = start + HEAD.length;
    const quote = data.indexOf(0x22, from);
    if (quote < 0 || quote > end) return true;
    const first = data[from]!;
    if (!this.shapes.has(first * 256 + (quote - from)) && !this.firstBytes.has(first)) return false;
    const name = data.toString('latin1', from, quote);
    return this.wanted.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }
}

/**
 * Point lines read with as little JSON.parse as is exact: a line in k6's layout
 * (`{"metric":…,"type":"Point","data":{"time":…,"value":…,"tags":…}}`) whose tail from
 * `,"tags":` on is the same text as one of the last few lines parsed (k6 writes a request's
 * points one after the other with the same tags, and iterations of a group alike) gets its
 * metric, time and value read in place and those tags; any other line is JSON.parsed.
 */
export class QuickPoints {
  private readonly recent: Array<{ tail: string; tags: K6Point['data']['tags'] }> = [];

  constructor(private readonly remember = 8) {}

  read(line: string): K6Point {
    const quick = this.inPlace(line);
    if (quick) return quick;
    const point = JSON.parse(line) as K6Point;
    const tail = this.tailOf(line);
    if (tail !== undefined && point.type === 'Point' && !point.data.metadata) {
      this.recent.unshift({ tail, tags: point.data.tags });
      if (this.recent.length > this.remember) this.recent.pop();
    }
    return point;
  }

  /** `,"tags":…` to the end, for a line in k6's layout. */
  private tailOf(line: string): string | undefined {
    const at = this.valueEnd(line);
    return at === undefined ? undefined : line.slice(at.valueEnd);
  }

  private valueEnd(line: string): { quote: number; timeAt: number; timeEnd: number; valueAt: number; valueEnd: number } | undefined {
    if (!line.startsWith(HEAD)) return undefined;
    const quote = line.indexOf('"', HEAD.length);
    if (quote < 0 || !line.startsWith(AFTER_NAME, quote)) return undefined;
    const timeAt = quote + AFTER_NAME.length;
    const timeEnd = line.indexOf('"', timeAt);
    if (timeEnd < 0 || !line.startsWith(VALUE, timeEnd + 1)) return undefined;
    const valueAt = timeEnd + 1 + VALUE.length;
    const valueEnd = line.indexOf(',', valueAt);
    if (valueEnd <= valueAt || !line.startsWith(TAGS, valueEnd)) return undefined;
    return { quote, timeAt, timeEnd, valueAt, valueEnd };
  }

  private inPlace(line: string): K6Point | undefined {
    if (this.recent.length === 0) return undefined;
    const at = this.valueEnd(line);
    if (!at) return undefined;
    const tail = line.slice(at.valueEnd);
    const seen = this.recent.find((r) => r.tail === tail);
    if (!seen) return undefined;
    const value = Number(line.slice(at.valueAt, at.valueEnd));
    if (Number.isNaN(value)) return undefined;
    const data: K6Point['data'] = { time: line.slice(at.timeAt, at.timeEnd), value };
    if (seen.tags !== undefined) data.tags = seen.tags;
    return { type: 'Point', metric: line.slice(HEAD.length, at.quote), data };
  }
}

let lastHead = '';
let lastZone = '';
let lastMs = 0;

/**
 * Date.parse of a k6 timestamp (RFC 3339 with up to nanoseconds: sub-ms digits dropped, as
 * Date.parse drops them), parsing the date and time of day only when the second changes.
 */
export function k6Time(time: string): number {
  if (time.length < 21 || time.charCodeAt(19) !== 46) return Date.parse(time);
  let i = 20;
  while (i < time.length && time.charCodeAt(i) >= 48 && time.charCodeAt(i) <= 57) i++;
  if (i === 20) return Date.parse(time);
  const head = time.slice(0, 19);
  const zone = time.slice(i);
  if (head !== lastHead || zone !== lastZone) {
    const ms = Date.parse(head + zone);
    if (Number.isNaN(ms)) return Date.parse(time);
    lastHead = head;
    lastZone = zone;
    lastMs = ms;
  }
  const digits = time.slice(20, Math.min(23, i));
  return lastMs + Number(digits) * (digits.length === 1 ? 100 : digits.length === 2 ? 10 : 1);
}
