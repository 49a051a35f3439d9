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
