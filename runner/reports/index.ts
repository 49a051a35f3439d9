import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { FaultlineError } from '../../env/errors.ts';
import { renderClosure } from './closure.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { latestRuns, renderOverview, writeAtomically } from './overview.ts';
import { appendStepSummary } from './step-summary.ts';
import { redact } from './redact.ts';
import type { RunResult } from '../result.ts';

export { redact } from './redact.ts';

/** Where writeReports put each file. */
export interface ReportPaths {
  dir: string;
  summaryJson: string;
  reportMd: string;
  reportHtml: string;
  junitXml: string;
  closureMd: string;
  overviewMd: string;
  /** The GitHub Actions job summary this run's closure was appended to, when GITHUB_STEP_SUMMARY was set. */
  stepSummary?: string;
}

export interface WriteReportsOptions {
  /** Source of AUTH_JWT_SECRET and friends for redaction, and of GITHUB_STEP_SUMMARY. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A run id that would escape the reports folder or name no folder at all. */
export class RunIdInvalidError extends FaultlineError {
  constructor(readonly runId: string) {
    super(
      `Run id ${JSON.stringify(runId)} cannot name a report folder: it must be a single path segment ` +
        `of letters, digits, '.', '_' or '-' (not '.' or '..'). Fix the runner's run id.`,
    );
  }
}

/**
 * Writes every report of a run to `<reportsDir>/<runId>/` and refreshes `<reportsDir>/OVERVIEW.md`.
 * Every file passes through redact() as a whole, so no secret reaches disk.
 * Example: `const paths = await writeReports(result, 'reports'); console.log(paths.reportMd);`
 */
export async function writeReports(result: RunResult, reportsDir: string, options: WriteReportsOptions = {}): Promise<ReportPaths> {
  const env = options.env ?? process.env;
  if (!/^[A-Za-z0-9._-]+$/.test(result.runId) || result.runId === '.' || result.runId === '..') {
    throw new RunIdInvalidError(result.runId);
  }
  const dir = join(reportsDir, result.runId);
  await mkdir(dir, { recursive: true });
  const clean = (text: string) => redact(text, env);
  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeAtomically(file, clean(text));
    return file;
  };

  const paths: ReportPaths = {
    dir,
    summaryJson: await write('summary.json', `${JSON.stringify(result, null, 2)}\n`),
    reportMd: await write('report.md', renderMarkdown(result)),
    reportHtml: await write('report.html', renderHtml(result)),
    junitXml: await write('junit.xml', renderJunit(result)),
    closureMd: await write('closure.md', renderClosure(result, displayPath(join(dir, 'report.md')))),
    overviewMd: join(reportsDir, 'OVERVIEW.md'),
  };

  // The overview is read back from the summaries just written (already redacted), then written redacted again.
  const rows = await latestRuns(reportsDir);
  await writeAtomically(paths.overviewMd, clean(renderOverview(rows)));
  if (env.GITHUB_STEP_SUMMARY) {
    await appendStepSummary(env.GITHUB_STEP_SUMMARY, result, displayPath(join(dir, 'report.md')), clean, env);
    paths.stepSummary = env.GITHUB_STEP_SUMMARY;
  }
  return paths;
}

/** A path relative to the working directory when it is inside it (`reports/<id>/report.md`), else absolute. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
