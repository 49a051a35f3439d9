import type { Command } from 'commander';

/** `faultline analyse --plan plan.json <results…>`: the verdict and reports of a run whose load was made elsewhere (k6-operator pods, split k6 processes). */
export function registerAnalyse(program: Command): void {
  program
    .command('analyse')
    .alias('analyze')
    .description('judge k6 results gathered from a distributed run (the JSON each pod wrote, merged) as a local run is judged: per-phase verdict, reports, exit code')
    .argument('<results...>', 'k6 --out json files, .json or .json.gz, one per pod')
    .requiredOption('--plan <file>', 'the plan.json that `faultline export k8s` wrote')
    .option('--reports <dir>', 'where reports/<run-id>/ go', 'reports')
    .action(async (files: string[], flags: { plan: string; reports: string }) => {
      // Imported here, not at the top: every other command starts without them.
      const [{ analyseResults }, { readPlanFile }] = await Promise.all([import('../../runner/analyse.ts'), import('../../runner/export/plan-file.ts')]);
      const plan = readPlanFile(flags.plan);
      const { result, runDir, exitCode } = await analyseResults({ plan, files, reportsDir: flags.reports, planFile: flags.plan });
      const why = result.inconclusive ? [result.inconclusive.detail] : result.reasons;
      console.error(`${result.verdict}: ${result.scenario} (${result.profile}), ${result.phases.reduce((n, p) => n + p.requests, 0)} requests from ${files.length} file(s)${why.length ? `\n${why.map((r) => `  - ${r}`).join('\n')}` : ''}`);
      console.error(`report: ${runDir}`);
      process.exitCode = exitCode;
    });
}
