/** An SVG coordinate to one decimal. */
export const r = (v: number) => (Math.round(v * 10) / 10).toString();

/** One step of a chart line: a value held over [fromMs, toMs); NaN for no value (a gap). */
export interface Step {
  fromMs: number;
  toMs: number;
  v: number;
}

/**
 * At most `max` steps: neighbouring steps are taken in runs, and each run becomes its lowest
 * and its highest value, in the order they came, each over half the run. A spike or a dip
 * stays visible however long the run is (an average would flatten it); a run with no value
 * stays a gap. The tables keep the exact figures.
 */
export function downsampleSteps(steps: Step[], max: number): Step[] {
  if (steps.length <= max) return steps;
  const size = Math.ceil(steps.length / Math.max(1, Math.floor(max / 2)));
  const out: Step[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const run = steps.slice(i, i + size);
    const fromMs = run[0]!.fromMs;
    const toMs = run.at(-1)!.toMs;
    let lo = -1;
    let hi = -1;
    run.forEach((s, k) => {
      if (!Number.isFinite(s.v)) return;
      if (lo < 0 || s.v < run[lo]!.v) lo = k;
      if (hi < 0 || s.v > run[hi]!.v) hi = k;
    });
    if (lo < 0) {
      out.push({ fromMs, toMs, v: Number.NaN });
      continue;
    }
    if (run[lo]!.v === run[hi]!.v) {
      out.push({ fromMs, toMs, v: run[lo]!.v });
      continue;
    }
    const mid = fromMs + (toMs - fromMs) / 2;
    const [first, second] = lo < hi ? [run[lo]!.v, run[hi]!.v] : [run[hi]!.v, run[lo]!.v];
    out.push({ fromMs, toMs: mid, v: first }, { fromMs: mid, toMs, v: second });
  }
  return out;
}

/**
 * The SVG path of a step line: `M x0,y h width` for a first step, then `V y h width` for each
 * step that follows on without a break (one h per step, V only when the value changes); a gap
 * (no value, or a jump in time) lifts the pen and the next step starts a new stroke with M.
 */
export function stepPath(steps: Step[], x: (tMs: number) => number, y: (v: number) => number): string {
  let d = '';
  let penAt: number | undefined;
  let lastY = '';
  let lastX = 0;
  for (const s of steps) {
    if (!Number.isFinite(s.v)) {
      penAt = undefined;
      continue;
    }
    const ys = r(y(s.v));
    // Widths are the differences of the rounded ends, so the relative steps add up to the absolute ends.
    const x1 = Number(r(x(s.toMs)));
    if (penAt !== undefined && Math.abs(s.fromMs - penAt) < 1) d += `${ys === lastY ? '' : `V${ys}`}h${r(x1 - lastX)}`;
    else {
      const x0 = Number(r(x(s.fromMs)));
      d += `${d ? ' ' : ''}M${x0},${ys}h${r(x1 - x0)}`;
    }
    penAt = s.toMs;
    lastY = ys;
    lastX = x1;
  }
  return d;
}
