import { isAbsolute, relative } from 'node:path';
import { assertionsOf } from './assertions.ts';
import type { RunResult } from '../result.ts';
import { loadCases } from './load.ts';

/**
 * junit.xml: one testsuite per run, one testcase per assertion (threshold, recovery bound,
 * invariant), so CI shows each failed assertion by name. Each testcase's `time` is the
 * window it judged (its phase, the wait after a revert, the run), its `file` the scenario
 * file, and a failure's message says what was seen against the limit, in ms and %.
 */
export function renderJunit(result: RunResult): string {
  const assertions = [...assertionsOf(result), ...loadCases(result).map((c) => ({ kind: 'load' as const, ...c, sentence: c.message, windowMs: result.durationMs }))];
  const failures = assertions.filter((a) => !a.ok).length;
  // An inconclusive run is an error of the run (it could not judge), not a failure of an assertion.
  const errors = result.inconclusive ? 1 : 0;
  const seconds = (result.durationMs / 1000).toFixed(3);
  const suiteName = `${result.scenario} (${result.profile})`;
  const scenarioFile = result.context.scenarioFile ? ` file="${xml(displayFile(result.context.scenarioFile))}"` : '';
  const properties = [
    ['runId', result.runId],
    ['scenario', result.scenario],
    ['profile', result.profile],
    ['seed', String(result.seed)],
    ['target', result.target],
    ['verdict', result.verdict],
    ...Object.entries(result.context).map(([k, v]) => [`context.${k}`, v]),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" tests="${assertions.length + errors}" failures="${failures}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="${xml(suiteName)}" tests="${assertions.length + errors}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds}" timestamp="${xml(result.startedAt)}"${scenarioFile}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${xml(name!)}" value="${xml(value!)}"/>`),
    '    </properties>',
  ];
  for (const a of assertions) {
    const open = `    <testcase classname="${xml(`faultline.${result.scenario}.${a.kind}`)}" name="${xml(a.name)}" time="${(a.windowMs / 1000).toFixed(3)}"${scenarioFile}`;
    if (a.ok) {
      lines.push(`${open}/>`);
    } else {
      lines.push(
        `${open}>`,
        `      <failure type="${a.kind}" message="${xml(a.sentence)}">${xml(`${a.name}\n${a.sentence}`)}</failure>`,
        '    </testcase>',
      );
    }
  }
  if (result.inconclusive) {
    const { kind, detail } = result.inconclusive;
    lines.push(
      `    <testcase classname="${xml(`faultline.${result.scenario}.run`)}" name="${xml(kind)}" time="${seconds}"${scenarioFile}>`,
      `      <error type="${xml(kind)}" message="${xml(detail)}">${xml(detail)}</error>`,
      '    </testcase>',
    );
  }
  if (result.description) lines.push(`    <system-out>${xml(result.description)}</system-out>`);
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** Escapes text for XML attributes and content, and drops characters XML 1.0 cannot carry at all. */
export function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The scenario file relative to the working directory (the repository root in CI), as CI annotations expect; absolute when outside it. */
function displayFile(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') || isAbsolute(path) ? file : path;
}
