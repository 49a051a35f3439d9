/** The steps of a chart path (runner/reports/steps.ts stepPath): each `h` one step from x0 to x1 at height y; `strokes` counts the Ms. */
export function pathSteps(d: string): { steps: Array<{ x0: number; x1: number; y: number; stroke: number }>; strokes: number } {
  const steps: Array<{ x0: number; x1: number; y: number; stroke: number }> = [];
  let x = 0;
  let y = 0;
  let strokes = 0;
  for (const [, command, args] of d.matchAll(/([MVh])([-\d.,]+)/g)) {
    const [a, b] = args!.split(',').map(Number) as [number, number];
    if (command === 'M') {
      x = a;
      y = b;
      strokes++;
    } else if (command === 'V') y = a;
    else {
      steps.push({ x0: x, x1: x + a, y, stroke: strokes });
      x += a;
    }
  }
  return { steps, strokes };
}
