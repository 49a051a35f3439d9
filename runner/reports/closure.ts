import { drift, ms, percent } from './format.ts';
import { mdCell, mdInline, verdictLines } from './markdown.ts';
import { maxDriftMs, replayCommand } from './tables.ts';
import { faultWindows } from './windows.ts';
import type { RunResult } from '../result.ts';

/** closure.md (`reportPath`: where report.md was written, as the reader would type it): a few lines to paste into an issue or PR — verdict, reasons, per-phase numbers, faults, replay. */
export function renderClosure(result: RunResult, reportPath = `reports/${result.runId}/report.md`): string {
  const lines = [...verdictLines(result, '###'), ''];
  if (result.phases.length > 0) {
    lines.push('| Phase | Requests | Errors | p95 |', '| --- | --- | --- | --- |');
    for (const p of result.phases) lines.push(`| ${mdCell(p.name)} | ${p.requests} | ${percent(p.errorRate)} | ${ms(p.latency.p95)} |`);
    lines.push('');
  }
  const windows = faultWindows(result);
  if (windows.length > 0) {
    const faults = windows.map((w) => `${w.fault} on ${w.target} ${(w.startMs / 1000).toFixed(1)}–${w.unreverted ? 'end' : (w.endMs / 1000).toFixed(1)} s`);
    lines.push(`Faults: ${mdInline(faults.join('; '))} (largest timing drift ${drift(maxDriftMs(result) ?? 0)}).`);
  }
  const mitigations = result.context.mitigations;
  lines.push(
    `Run \`${result.runId}\` against ${mdInline(result.target)}, seed ${result.seed}${mitigations ? `, mitigations: ${mdInline(mitigations)}` : ''}. ` +
      `Full report: \`${reportPath}\`.`,
    '',
    `Replay: \`${replayCommand(result)}\``,
    '',
  );
  return lines.join('\n');
}
