import { mdInline } from '../reports/markdown.ts';
import type { SignOffPack } from './types.ts';

/** FINAL-STEPS.md: what a person still has to look at before the issue is closed, drawn from what this sign-off saw and could not see. */
export function renderFinalSteps(pack: SignOffPack): string {
  const window = `${pack.startedAt} – ${pack.finishedAt ?? 'end'}`;
  const commit = pack.context.commit ? ` (commit ${mdInline(pack.context.commit)})` : '';
  const steps: string[] = [
    pack.target.startsWith('http') || pack.target.startsWith('ws')
      ? `Check that ${mdInline(pack.target)} ran the build under sign-off (its commit or version) for the whole window, ${window}.`
      : `The app ran from this checkout${commit}: check that it is the build under sign-off.`,
  ];
  if (pack.remote) {
    steps.push('The load saw the deployment from the client side only: look at its own dashboards and logs for that window (CPU and memory, error logs, queue depths, database load).');
  }
  if (pack.context.faults?.startsWith('none')) {
    steps.push(`No fault was played (${mdInline(pack.context.faults.replace(/^none \((.*)\)$/, '$1'))}): these numbers say nothing about the mitigations; their proof is a run of the scenarios with faults.`);
  }
  for (const r of pack.rows.filter((r) => r.verdict !== 'PASS')) {
    const why = r.reasons[0] ? `: ${mdInline(r.reasons[0])}` : '';
    steps.push(`Decide on ${mdInline(r.scenario)} (${mdInline(r.profile)}), ${r.verdict}${why}. Fix and run again: the rerun goes to a new folder and this one stays as it is.`);
  }
  for (const r of pack.rows.filter((r) => r.droppedIterations)) {
    steps.push(`${mdInline(r.scenario)} (${mdInline(r.profile)}) dropped ${r.droppedIterations} arrivals (every virtual user was busy): the target got less load than planned; raise the profile's concurrency if the plan needs that rate.`);
  }
  const external = pack.rows.flatMap((r) => r.failures ?? []).filter((g) => g.attribution === 'external dependency');
  if (external.length > 0) {
    steps.push(`Confirm the ${external.reduce((n, g) => n + g.count, 0)} failed requests attributed to an external dependency (CLOSURE.md) with the provider's status page or the app's logs${external.some((g) => g.traceIds.length) ? ' (their trace ids are listed)' : ''}.`);
  }
  if (pack.context.secrets) {
    steps.push(`The secret in ${mdInline(pack.context.secrets)} was read from the environment and redacted from every file; if it was issued for this run only, revoke it now.`);
  }
  steps.push(
    pack.verdict === 'PASS'
      ? `Paste COMMENT.md into the issue and close it: \`sh CLOSE-COMMANDS.sh${pack.issue ? '' : ' <issue>'}\` does both with the GitHub CLI.`
      : 'CLOSE-COMMANDS.sh was not written: not every row passed. COMMENT.md is still ready to paste as a progress note.',
  );
  return ['# Final steps', '', 'What this sign-off could not check for you:', '', ...steps.map((s) => `- [ ] ${s}`), ''].join('\n');
}
