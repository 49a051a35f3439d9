import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../lib/files.ts';
import { GITHUB_WORKFLOW_FILE, githubWorkflow } from './github-workflow.ts';

const run = promisify(execFile);

/** actionlint: $ACTIONLINT, on the PATH, or where `go install` puts it. */
function actionlint(): string | undefined {
  const candidates = [process.env.ACTIONLINT, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'actionlint')), join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'actionlint')];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

const lint = async (file: string) =>
  run(actionlint()!, ['-no-color', file]).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );

describe('faultline init --ci github', () => {
  it('writes the workflow: smoke on pull requests, baseline nightly, tool cache, artifact, junit, `faultline ci` as the gate', async () => {
    const project = mkdtempSync(join(tmpdir(), 'faultline-init-ci-'));
    writeFileSync(join(project, 'package.json'), '{"name":"shop","private":true}\n');
    await run(join(PACKAGE_ROOT, 'node_modules/.bin/tsx'), [join(PACKAGE_ROOT, 'scripts/cli.ts'), 'init', '--ci', 'github'], { cwd: project });
    const text = readFileSync(join(project, GITHUB_WORKFLOW_FILE), 'utf8');
    expect(text).toBe(githubWorkflow());
    const workflow = parse(text);
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'schedule', 'workflow_dispatch']);
    const job = workflow.jobs.chaos;
    expect(job.env.FAULTLINE_PROFILE).toBe("${{ github.event_name == 'schedule' && 'baseline' || inputs.profile || 'smoke' }}");
    const step = (uses: string) => job.steps.find((s: { uses?: string }) => s.uses?.startsWith(uses));
    expect(step('actions/cache').with.path).toBe('~/.cache/faultline');
    expect(step('actions/upload-artifact').with.name).toBe('${{ env.FAULTLINE_ARTIFACT }}');
    expect(step('mikepenz/action-junit-report').with.report_paths).toBe('reports/faultline-*/**/*-junit.xml');
    expect(job.steps.some((s: { run?: string }) => s.run?.startsWith('npx faultline ci --profile "$FAULTLINE_PROFILE"'))).toBe(true);
  });

  it('passes actionlint (and actionlint does fail a broken workflow)', async (context) => {
    if (!actionlint()) {
      // In this project's CI (.ci/run installs it) a missing actionlint is a failure, elsewhere a skip.
      if (process.env.CI === 'true') throw new Error('actionlint is not installed: .ci/run installs it with `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`');
      console.log('skipped: actionlint not found (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12, or set ACTIONLINT)');
      context.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'faultline-actionlint-'));
    const good = join(dir, 'faultline.yml');
    writeFileSync(good, githubWorkflow());
    expect(await lint(good)).toEqual({ code: 0, out: '' });
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, githubWorkflow().replace("github.event_name == 'schedule'", 'github.event_nam == schedule'));
    const result = await lint(broken);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/event_nam/);
  });
});
