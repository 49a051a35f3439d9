import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { Toolbox } from '../../env/tools/toolbox.ts';
import { FaultlineError } from '../../lib/errors.ts';
import { rel } from '../../lib/hints.ts';
import { k6LoadPlan } from '../load-plan.ts';
import { describeShape, shapeLoad } from '../load-shape.ts';
import { splitThresholds } from '../probes/thresholds.ts';
import { prepareK6Script } from '../k6-script.ts';
import { secretValuesFrom } from '../reports/redact.ts';
import { buildThresholds } from '../run.ts';
import type { Scenario } from '../scenario.ts';
import { checkTarget } from '../target.ts';
import { carryOver, chaosMeshWorkflow } from './cluster-faults.ts';
import { k8sManifests, type Manifest, resultsReader } from './manifests.ts';
import type { DistributedPlan } from './plan-file.ts';
import { renderExportReadme } from './readme.ts';

const run = promisify(execFile);

export interface K8sExportOptions {
  scenario: Scenario;
  profile?: string;
  /** Runner pods the load is split over (k6 execution segments). */
  parallelism: number;
  /** The folder to write; must be new or empty. */
  out: string;
  /** Where the load goes from inside the cluster, e.g. http://shop.default.svc:8080. */
  target: string;
  /** The TestRun's name (DNS label); default `<scenario>-<profile>`. */
  name?: string;
  namespace?: string;
  /** `--out` values for the pods besides their JSON results; default Prometheus remote write. */
  outputs?: string[];
  /** K6_PROMETHEUS_RW_SERVER_URL. */
  prometheusUrl?: string;
  env?: Record<string, string>;
  /** Variables the script reads from a Kubernetes Secret `<name>-secrets` (created by hand; no value is written). */
  secretEnv?: string[];
  seed?: number;
  /** Size of the results volume. */
  resultsStorage?: string;
  /** Runner image; default grafana/k6 at the version of the k6 that made the archive. */
  image?: string;
}

/** `faultline export k8s` cannot write what was asked. Exit code 2. */
export class ExportInvalidError extends FaultlineError {}

/**
 * Writes a k6-operator run of a scenario's load: the script as a `k6 archive` in a
 * ConfigMap, a results volume, the TestRun with the phase plan in its env, a Chaos Mesh
 * Workflow for the faults that carry over, plan.json for `faultline analyse`, and a README.
 * Returns the files written. Example: `await exportK8s({ scenario, profile: 'stress', parallelism: 8, out: 'k8s/', target: 'http://shop.default.svc:8080' })`.
 */
export async function exportK8s(o: K8sExportOptions): Promise<{ dir: string; files: string[] }> {
  const { scenario } = o;
  const profileName = o.profile ?? scenario.load.defaultProfile;
  const profile = scenario.load.profiles[profileName];
  if (!profile) throw new ExportInvalidError(`Unknown profile "${profileName}" for scenario ${scenario.name}; known profiles: ${Object.keys(scenario.load.profiles).join(', ')}`);
  if (!Number.isInteger(o.parallelism) || o.parallelism < 1) throw new ExportInvalidError(`--parallelism ${o.parallelism}: expected a whole number of pods, 1 or more`);
  checkTarget(o.target, true, () => {});
  const name = o.name ?? `${scenario.name}-${profileName}`.slice(0, 40).replace(/-+$/, '');
  // Every object is named <name>-<suffix> (the longest: -results-reader), within a DNS label's 63 characters.
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) throw new ExportInvalidError(`--name ${name}: expected at most 40 lower-case letters, digits and "-" (a Kubernetes name with room for suffixes)`);
  const namespace = o.namespace ?? 'default';
  const env = { ...scenario.load.env, ...o.env };
  const secretLooking = Object.keys(env).filter((key) => secretValuesFrom({ [key]: 'x'.repeat(16) }).length > 0);
  if (secretLooking.length > 0) throw new ExportInvalidError(`--env ${secretLooking.join(', ')}: these look secret, and plain values end up in the archive and the manifests. Pass them with --secret-env instead (read from a Kubernetes Secret).`);
  const dir = resolve(o.out);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw new ExportInvalidError(`--out ${o.out}: exists and is not empty; export into a new folder (nothing is written over).`);

  const k6 = await new Toolbox().get('k6');
  const script = await prepareK6Script(scenario.load.scriptPath, { bundle: true });
  const shaped = shapeLoad(scenario.load, scenario.phases, profile, script.exports);
  if (shaped.problems.length > 0) throw new ExportInvalidError(`${rel(scenario.file)}: ${shaped.problems.join('; ')}`);
  const plan: DistributedPlan = {
    kind: 'faultline-distributed-plan',
    name,
    scenario: scenario.name,
    description: scenario.description,
    scenarioFile: rel(scenario.file),
    profile: profileName,
    parallelism: o.parallelism,
    executor: scenario.load.executor,
    // No origin: each pod counts the phases from its scenario's start (the operator starts them together).
    // Redirects as k6 follows them: a cluster's target is remote by intent, not by mistake.
    load: describeShape(shaped.groups),
    // Probe thresholds need this machine's probes: a cluster's own dashboards stand in for them.
    k6: {
      originMs: 0,
      target: o.target,
      phases: scenario.phases,
      thresholds: splitThresholds(buildThresholds(scenario, profile)).k6,
      profile,
      maxRedirects: 10,
      // Groups aimed at a service go to the target: the cluster's services are not this machine's.
      ...k6LoadPlan(shaped.groups, {}, o.target),
      shaped: !!scenario.load.groups,
    },
    faults: scenario.faults,
    ...(scenario.assertions.recovery ? { recovery: scenario.assertions.recovery } : {}),
  };

  mkdirSync(dir, { recursive: true });
  const archive = join(dir, 'archive.tar');
  try {
    const values = { FAULTLINE_PLAN: JSON.stringify(plan.k6), FAULTLINE_TARGET: o.target, ...env };
    // The archive keeps the options the script computes from the plan; it runs from the script's folder, so open() finds its files.
    await run(k6.path, ['archive', '--quiet', ...Object.entries(values).flatMap(([k, v]) => ['-e', `${k}=${v}`]), '-O', archive, script.file], { cwd: dirname(scenario.load.scriptPath), env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } }).catch((error: { stderr?: string; message: string }) => {
      throw new ExportInvalidError(`k6 archive could not package ${rel(scenario.load.scriptPath)}: ${(error.stderr || error.message).trim().split('\n').slice(-3).join(' ')}`);
    });
    writeFileSync(join(dir, 'script.js'), readFileSync(script.file, 'utf8'));
  } finally {
    script.cleanup();
  }

  const archiveBytes = statSync(archive).size;
  const outputs = o.outputs ?? ['experimental-prometheus-rw'];
  const outputEnv: Record<string, string> = outputs.some((out) => out.startsWith('experimental-prometheus-rw'))
    ? { K6_PROMETHEUS_RW_SERVER_URL: o.prometheusUrl ?? 'http://prometheus-server.monitoring.svc:80/api/v1/write', K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),min,max' }
    : {};
  const manifests = k8sManifests(plan, {
    name,
    namespace,
    target: o.target,
    image: o.image ?? `grafana/k6:${k6.version.replace(/^v/, '')}`,
    outputs,
    outputEnv,
    env,
    secretEnv: o.secretEnv ?? [],
    archiveBase64: readFileSync(archive).toString('base64'),
    seed: o.seed ?? 0,
    resultsStorage: o.resultsStorage ?? '5Gi',
  });
  const faults = carryOver(scenario.faults, namespace);
  const workflow = chaosMeshWorkflow(name, namespace, scenario.durationMs, faults);
  const files: Record<string, string> = {
    'configmap.yaml': yaml(manifests.configMap),
    'results-volume.yaml': yaml(manifests.volume),
    'testrun.yaml': yaml(manifests.testRun),
    'results-reader.yaml': yaml(resultsReader({ name, namespace })),
    ...(workflow ? { 'chaos-mesh.yaml': yaml(workflow) } : {}),
    'plan.json': `${JSON.stringify(plan, null, 2)}\n`,
    'README.md': renderExportReadme(plan, { name, namespace, target: o.target, outputs, secretEnv: o.secretEnv ?? [], workflow: !!workflow, faults, archiveBytes, hasBefore: !!scenario.before, invariants: scenario.invariants.length }),
  };
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return { dir, files: ['archive.tar', 'script.js', ...Object.keys(files)].map((f) => join(dir, f)) };
}

const yaml = (manifest: Manifest) => `# Written by faultline export k8s.\n${stringify(manifest, { lineWidth: 0 })}`;
