import { FaultlineError } from '../../lib/errors.ts';
import type { SignOffPack } from './types.ts';

/** `--issue` that names no issue gh can find. Exit code 2. */
export class IssueInvalidError extends FaultlineError {
  constructor(value: string) {
    super(`--issue ${value}: expected an issue number (14) or an issue URL (https://github.com/owner/repo/issues/14), as \`gh issue close\` takes it.`);
  }
}

/** An issue as `gh issue` takes it: a number, or its URL (which also names the repository). */
export function checkIssue(value: string): string {
  if (/^\d+$/.test(value) || /^https:\/\/[\w.-]+\/[\w.-]+\/[\w.-]+\/issues\/\d+$/.test(value)) return value;
  throw new IssueInvalidError(value);
}

/**
 * CLOSE-COMMANDS.sh: comment COMMENT.md on the issue and close it. Only for a pack whose
 * every row passed (undefined otherwise: nothing to close). Without `--issue` the script
 * takes the issue as its first argument.
 */
export function renderCloseCommands(pack: SignOffPack): string | undefined {
  if (pack.verdict !== 'PASS') return undefined;
  const issue = pack.issue ? `'${checkIssue(pack.issue)}'` : '"${1:?usage: CLOSE-COMMANDS.sh <issue number or URL>}"';
  return [
    '#!/usr/bin/env sh',
    `# Faultline sign-off: every row passed (${pack.rows.map((r) => `${r.scenario}/${r.profile}`).join(', ')}).`,
    '# Read FINAL-STEPS.md first. Needs the GitHub CLI (gh), logged in.',
    'set -eu',
    'cd "$(dirname "$0")"',
    `issue=${issue}`,
    'gh issue comment "$issue" --body-file COMMENT.md',
    'gh issue close "$issue" --reason completed',
    '',
  ].join('\n');
}
