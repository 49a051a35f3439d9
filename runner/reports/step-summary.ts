import { appendFile } from 'node:fs/promises';
import { renderClosure } from './closure.ts';
import type { RunResult } from '../result.ts';

/**
 * Appends one run's closure to GitHub Actions' job summary: its verdict and failing
 * reasons, the phase table, the faults, the replay line, and where the run's artifact is.
 * Once per run: a job of eight runs gets eight short blocks, not eight copies of a growing
 * overview.
 */
export async function appendStepSummary(file: string, result: RunResult, reportPath: string, text: (s: string) => string, env: NodeJS.ProcessEnv): Promise<void> {
  const closure = renderClosure(result, reportPath).trimEnd();
  const link = artifactLink(env);
  await appendFile(file, text(`${closure}\n${link ? `\nReports${link}.\n` : ''}\n`));
}

/** " in the run's artifacts (artifact `x`): <url>" inside GitHub Actions (its run page lists the artifacts), else ''. */
export function artifactLink(env: NodeJS.ProcessEnv): string {
  if (!env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return '';
  const name = env.FAULTLINE_ARTIFACT ? ` (artifact \`${env.FAULTLINE_ARTIFACT}\`)` : '';
  return ` in the run's artifacts${name}: ${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}#artifacts`;
}
