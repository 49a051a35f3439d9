/** Where `faultline init --ci github` writes the workflow. */
export const GITHUB_WORKFLOW_FILE = '.github/workflows/faultline.yml';

/**
 * The GitHub Actions workflow for a project that uses Faultline: on pull requests the
 * smoke profile of every scenario, nightly the baseline profile (and either by hand),
 * with Faultline's per-user tool cache (k6, toxiproxy-server) cached between runs, the
 * reports uploaded as an artifact, each run's closure in the job summary, and the junit
 * published as a check. `faultline ci` gates the job: 0 only when every run passed.
 */
export function githubWorkflow(options: { nodeVersion?: string; cron?: string } = {}): string {
  const node = options.nodeVersion ?? '22';
  const cron = options.cron ?? '17 3 * * *';
  return `# Faultline: chaos scenarios against this app (written by \`npx faultline init --ci github\`; yours to edit).
# Pull requests: the smoke profile of every scenario. Nightly: the baseline profile.
# The job fails unless every run passed: 1 a FAIL, 2 bad input, 3/4 inconclusive (see the job summary).
name: Faultline

on:
  pull_request:
  schedule:
    - cron: '${cron}'
  workflow_dispatch:
    inputs:
      profile:
        description: Load profiles to run, in order, comma-separated (smoke, baseline, stress)
        required: false
        default: smoke

permissions:
  contents: read
  checks: write # the junit check

concurrency:
  group: faultline-\${{ github.workflow }}-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  chaos:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      FAULTLINE_PROFILE: \${{ github.event_name == 'schedule' && 'baseline' || inputs.profile || 'smoke' }}
      # Named in the job summary's links to the reports.
      FAULTLINE_ARTIFACT: faultline-reports-\${{ github.run_id }}-\${{ github.run_attempt }}
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: '${node}'
          cache: npm

      # k6 and toxiproxy-server live in Faultline's per-user tool cache; keep it between runs.
      - name: Cache Faultline's tools
        uses: actions/cache@v4
        with:
          path: ~/.cache/faultline
          key: faultline-tools-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}
          restore-keys: |
            faultline-tools-\${{ runner.os }}-

      - run: npm ci

      # Redis has no npm binary; the runner image has apt.
      - name: Install redis-server
        run: sudo apt-get install -y --no-install-recommends redis-server

      - name: Provision Faultline's tools
        run: npx faultline doctor --install

      # Add your app's build step here if it needs one (the config's command starts it).

      - name: Faultline (\${{ env.FAULTLINE_PROFILE }})
        run: npx faultline ci --profile "$FAULTLINE_PROFILE" --report-dir "reports/faultline-$FAULTLINE_PROFILE"

      - name: Upload the reports
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: \${{ env.FAULTLINE_ARTIFACT }}
          path: reports/
          if-no-files-found: warn
          retention-days: 14

      - name: Publish junit
        if: \${{ !cancelled() }}
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: reports/faultline-*/**/*-junit.xml
          check_name: Faultline (\${{ env.FAULTLINE_PROFILE }})
`;
}
