import { readSync } from 'node:fs';
import { k6Time } from './k6-time.ts';

/**
 * The fast path through k6's `--out json` file (≈ 13 lines and 3 KB per request, of which
 * the runner needs 2–3 lines). The file is read in large chunks and scanned as bytes: a line
 * is cut at its newline, and k6's layout puts the metric name at a fixed place
 * (`{"metric":"<name>","type":"Point","data":{"time":"…","value":…,"tags":{…}}}`), so a
 * line of a metric the runner does not use is skipped without being decoded. A wanted line
 * is read by hand: its time and value from the bytes (exactly as Date.parse and Number read
 * them), its tags from a cache keyed by their text (one JSON.parse per distinct tag set).
 * Any line that is not in that layout is decoded and JSON.parsed, so nothing unusual is lost.
 */

/** One k6 Point as the reader uses it (the object is reused: read it within the callback). */
export interface ScannedPoint {
  metric: string;
  /** Epoch ms as Date.parse reads k6's timestamp (sub-ms digits dropped). */
  timeMs: number;
  /** The nanoseconds within that ms (the sub-ms digits): with timeMs, the stamp's identity. */
  subNs: number;
  value: number;
  tags: Record<string, string> | undefined;
  metadata: Record<string, string> | undefined;
}

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const HEAD = bytes('{"metric":"');
const AFTER_NAME = bytes('","type":"Point","data":{"time":"');
const VALUE = bytes('","value":');
const TAGS = bytes(',"tags":');
const METRIC_LINE = bytes('{"type":"Metric"');
const TAG_CACHE_LIMIT = 4096;
const RECENT_TAGS = 6;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO_53 = 2 ** 53;

function startsWith(data: Buffer, at: number, end: number, what: Uint8Array): boolean {
  if (end - at < what.length) return false;
  for (let i = 0; i < what.length; i++) if (data[at + i] !== what[i]) return false;
  return true;
}

export class K6PointScanner {
  /** The wanted names by their first byte: a line's name is compared as bytes, never decoded. */
  private readonly byFirst: Array<Array<{ name: string; bytes: Uint8Array }> | undefined> = new Array(256).fill(undefined);
  /** The tag sets seen last, by their bytes: most lines repeat one of them. */
  private readonly recentTags: Array<{ bytes: Uint8Array; tags: Record<string, string> | undefined }> = [];
  private readonly prefixBytes: Set<number>;
  private buffer: Buffer;
  private readonly tagCache = new Map<string, Record<string, string> | undefined>();
  private readonly point: ScannedPoint = { metric: '', timeMs: 0, subNs: 0, value: 0, tags: undefined, metadata: undefined };
  /** The last time-of-day head (19 bytes) and zone seen, and what Date.parse made of them. */
  private readonly lastHead = new Uint8Array(19);
  private lastHeadSet = false;
  private lastZone = new Uint8Array(0);
  private lastHeadMs = 0;

  constructor(
    private readonly wanted: Set<string>,
    private readonly prefixes: string[] = [],
    chunkBytes = 4 << 20,
  ) {
    for (const name of wanted) (this.byFirst[name.charCodeAt(0)] ??= []).push({ name, bytes: bytes(name) });
    this.prefixBytes = new Set(prefixes.map((p) => p.charCodeAt(0)));
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /**
   * Scans the file from `position` to its end; returns the position after its last whole
   * line (a line k6 is still writing is read again by the next call).
   */
  scanFile(fd: number, position: number, each: (point: ScannedPoint) => void): number {
    let carry = 0; // bytes of an unfinished line at the buffer's start
    for (;;) {
      if (carry === this.buffer.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger, 0, 0, carry);
        this.buffer = bigger;
      }
      const n = readSync(fd, this.buffer, carry, this.buffer.length - carry, position + carry);
      if (n <= 0) return position;
      const end = carry + n;
      const consumed = this.scan(this.buffer.subarray(0, end), each);
      position += consumed;
      carry = end - consumed;
      if (carry > 0) this.buffer.copyWithin(0, consumed, end);
    }
  }

  /** Hands on the wanted points of the whole lines in `data`; returns the bytes they took. */
  scan(data: Buffer, each: (point: ScannedPoint) => void): number {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) return start;
      if (nl > start) this.line(data, start, nl, each);
      start = nl + 1;
    }
  }

  private line(data: Buffer, start: number, end: number, each: (point: ScannedPoint) => void): void {
    if (!startsWith(data, start, end, HEAD)) {
      if (!startsWith(data, start, end, METRIC_LINE)) this.slow(data, start, end, each);
      return;
    }
    const from = start + HEAD.length;
    const first = data[from]!;
    let name: string | undefined;
    let quote = -1;
    // A wanted name is recognised by its bytes where it stands (its closing quote included): no decoding, no search.
    const candidates = this.byFirst[first];
    if (candidates) {
      for (const c of candidates) {
        const q = from + c.bytes.length;
        if (q >= end || data[q] !== 0x22) continue;
        let k = 1;
        while (k < c.bytes.length && data[from + k] === c.bytes[k]) k++;
        if (k === c.bytes.length) {
          name = c.name;
          quote = q;
          break;
        }
      }
    }
    if (name === undefined) {
      if (!this.prefixBytes.has(first)) return;
      quote = from;
      while (quote < end && data[quote] !== 0x22) quote++;
      if (quote >= end) return this.slow(data, start, end, each);
      name = data.toString('latin1', from, quote);
      if (!this.prefixes.some((p) => name!.startsWith(p))) return;
    }
    if (!this.fast(data, start, end, name, quote)) this.slow(data, start, end, each);
    else each(this.point);
  }

  /** Reads a line in k6's layout in place; false when it is not quite that (the slow way then reads it). */
  private fast(data: Buffer, start: number, end: number, name: string, quote: number): boolean {
    if (name.includes('\\') || !startsWith(data, quote, end, AFTER_NAME)) return false;
    // time: YYYY-MM-DDTHH:MM:SS[.digits]zone
    const t0 = quote + AFTER_NAME.length;
    let tEnd = t0;
    while (tEnd < end && data[tEnd] !== 0x22) tEnd++;
    if (tEnd >= end || tEnd - t0 < 20) return false;
    let i = t0 + 19;
    let ms = 0;
    let sub = 0;
    if (data[i] === 0x2e) {
      i++;
      const digitsAt = i;
      while (i < tEnd && data[i]! >= 0x30 && data[i]! <= 0x39) {
        const d = data[i]! - 0x30;
        const k = i - digitsAt;
        if (k < 3) ms = ms * 10 + d;
        else if (k < 9) sub = sub * 10 + d;
        i++;
      }
      const k = i - digitsAt;
      if (k === 0) return false;
      if (k < 3) ms *= POW10[3 - k]!;
      sub *= POW10[6 - Math.max(0, Math.min(k, 9) - 3)]!;
    }
    if (!this.head(data, t0, i, tEnd)) return false;
    // value
    if (!startsWith(data, tEnd, end, VALUE)) return false;
    const v0 = tEnd + VALUE.length;
    let vEnd = v0;
    while (vEnd < end && data[vEnd] !== 0x2c) vEnd++;
    if (vEnd >= end || !startsWith(data, vEnd, end, TAGS)) return false;
    const value = this.number(data, v0, vEnd);
    if (Number.isNaN(value)) return false;
    // tags: what is left but the two closing braces; known text, or JSON.parse of the line once
    const tagsAt = vEnd + TAGS.length;
    if (end - tagsAt < 3 || data[end - 1] !== 0x7d || data[end - 2] !== 0x7d) return false;
    const p = this.point;
    const tags = this.knownTags(data, tagsAt, end - 2);
    if (tags !== false) {
      p.tags = tags;
      p.metadata = undefined;
    } else {
      let parsed: { data?: { tags?: Record<string, string> | null; metadata?: Record<string, string> } };
      try {
        parsed = JSON.parse(data.toString('utf8', start, end));
      } catch {
        return false;
      }
      p.tags = parsed.data?.tags ?? undefined;
      p.metadata = parsed.data?.metadata;
      if (!p.metadata) this.remember(data, tagsAt, end - 2, p.tags);
    }
    p.metric = name;
    p.timeMs = this.lastHeadMs + ms;
    p.subNs = sub;
    p.value = value;
    return true;
  }

  /** The tags whose text is bytes [from, to), if seen lately (false if not): the last few by their bytes, then the cache by text. */
  private knownTags(data: Buffer, from: number, to: number): Record<string, string> | undefined | false {
    const length = to - from;
    for (let r = 0; r < this.recentTags.length; r++) {
      const seen = this.recentTags[r]!;
      const b = seen.bytes;
      if (b.length !== length) continue;
      let k = length - 1;
      while (k >= 0 && data[from + k] === b[k]) k--;
      if (k >= 0) continue;
      if (r > 0) {
        this.recentTags.splice(r, 1);
        this.recentTags.unshift(seen);
      }
      return seen.tags;
    }
    const key = data.toString('latin1', from, to);
    if (!this.tagCache.has(key)) return false;
    const tags = this.tagCache.get(key);
    this.pushRecent(data, from, to, tags);
    return tags;
  }

  private remember(data: Buffer, from: number, to: number, tags: Record<string, string> | undefined): void {
    if (this.tagCache.size >= TAG_CACHE_LIMIT) this.tagCache.clear();
    this.tagCache.set(data.toString('latin1', from, to), tags);
    this.pushRecent(data, from, to, tags);
  }

  private pushRecent(data: Buffer, from: number, to: number, tags: Record<string, string> | undefined): void {
    this.recentTags.unshift({ bytes: Uint8Array.from(data.subarray(from, to)), tags });
    if (this.recentTags.length > RECENT_TAGS) this.recentTags.pop();
  }

  /** Date.parse of the stamp's date, time of day and zone, once per second of the run. */
  private head(data: Buffer, t0: number, zoneAt: number, tEnd: number): boolean {
    let same = this.lastHeadSet && tEnd - zoneAt === this.lastZone.length;
    for (let k = 0; same && k < 19; k++) if (data[t0 + k] !== this.lastHead[k]) same = false;
    for (let k = 0; same && k < this.lastZone.length; k++) if (data[zoneAt + k] !== this.lastZone[k]) same = false;
    if (same) return true;
    const ms = Date.parse(data.toString('latin1', t0, t0 + 19) + data.toString('latin1', zoneAt, tEnd));
    if (Number.isNaN(ms)) return false;
    for (let k = 0; k < 19; k++) this.lastHead[k] = data[t0 + k]!;
    this.lastZone = Uint8Array.from(data.subarray(zoneAt, tEnd));
    this.lastHeadSet = true;
    this.lastHeadMs = ms;
    return true;
  }

  /** Number() of the JSON number in [from, to): plain decimals by hand (exact while the digits fit in 2^53), the rest by Number. */
  private number(data: Buffer, from: number, to: number): number {
    let i = from;
    const negative = data[i] === 0x2d;
    if (negative) i++;
    let mantissa = 0;
    let fraction = -1;
    const digitsAt = i;
    for (; i < to; i++) {
      const c = data[i]!;
      if (c >= 0x30 && c <= 0x39) mantissa = mantissa * 10 + (c - 0x30);
      else if (c === 0x2e && fraction < 0) fraction = i;
      else return Number(data.toString('latin1', from, to));
    }
    const scale = fraction < 0 ? 0 : to - fraction - 1;
    if (i === digitsAt || fraction === digitsAt || scale === 0 && fraction >= 0 || mantissa >= TWO_53 || scale > 22) return Number(data.toString('latin1', from, to));
    const value = scale ? mantissa / POW10[scale]! : mantissa;
    return negative ? -value : value;
  }

  /** A line in another layout: JSON.parse, then the same filter. */
  private slow(data: Buffer, start: number, end: number, each: (point: ScannedPoint) => void): void {
    let parsed: { type?: string; metric?: string; data?: { time?: string; value?: number; tags?: Record<string, string> | null; metadata?: Record<string, string> } };
    try {
      parsed = JSON.parse(data.toString('utf8', start, end));
    } catch {
      return;
    }
    const name = parsed.metric;
    if (parsed.type !== 'Point' || typeof name !== 'string' || !parsed.data || typeof parsed.data.time !== 'string' || typeof parsed.data.value !== 'number') return;
    if (!this.wanted.has(name) && !this.prefixes.some((p) => name.startsWith(p))) return;
    const p = this.point;
    p.metric = name;
    p.timeMs = k6Time(parsed.data.time);
    p.subNs = subNanos(parsed.data.time);
    p.value = parsed.data.value;
    p.tags = parsed.data.tags ?? undefined;
    p.metadata = parsed.data.metadata;
    each(p);
  }
}

/** The digits of a stamp's fraction past the ms, as ns (0 without them). */
function subNanos(time: string): number {
  const m = /^.{19}\.\d{3}(\d{1,6})/.exec(time);
  return m ? Number(m[1]!.padEnd(6, '0')) : 0;
}
