import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { Toolbox } from '../env/tools/toolbox.ts';
import { exportK8s } from '../runner/export/k8s.ts';
import type { DistributedPlan } from '../runner/export/plan-file.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { REPO_ROOT } from './support/environment.ts';

const run = promisify(execFile);

/**
 * The TestRun CRD of k6-operator v1.6.0 (config/crd/bases/k6.io_testruns.yaml). Not kept
 * in this repository: it is taken from FAULTLINE_TESTRUN_CRD, or from the shared folder
 * beside the checkout (shared/k6-operator/k6.io_testruns.yaml).
 */
function testRunCrd(): string | undefined {
  return [process.env.FAULTLINE_TESTRUN_CRD, join(REPO_ROOT, '..', 'shared', 'k6-operator', 'k6.io_testruns.yaml')].find((f): f is string => !!f && existsSync(f));
}

const scenario = resolveScenario(
  {
    name: 'tiny-cluster',
    description: 'Redis +150 ms, then down, then a mock fault that does not carry over',
    services: ['redis'],
    load: { script: join(REPO_ROOT, 'test/fixtures/tiny-target/load.js'), profiles: { stress: { rps: 40 } } },
    phases: [
      { name: 'baseline', duration: '2s' },
      { name: 'fault', duration: '4s' },
      { name: 'recovery', duration: '2s' },
    ],
    faults: [
      { name: 'slow', fault: 'latency', target: 'redis', at: 'fault', duration: '2s', params: { latency: 150, jitter: 10 } },
      { name: 'gone', fault: 'down', target: 'redis', at: '4s', duration: '2s' },
      { name: 'slices', fault: 'slicer', target: 'redis', at: '0s', duration: '1s', params: { average_size: 64 } },
    ],
    assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.5'] }, recovery: { bound: '1s' } },
  },
  join(REPO_ROOT, 'test/fixtures/tiny-target/scenario.ts'),
);

describe('faultline export k8s', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'faultline-k8s-')), 'export');
  let files: string[];
  beforeAll(async () => {
    ({ files } = await exportK8s({ scenario, profile: 'stress', parallelism: 8, out, target: 'http://tiny.default.svc:8080', namespace: 'load', secretEnv: ['APP_JWT_SECRET'] }));
  });
  const yamlOf = (file: string) => parse(readFileSync(join(out, file), 'utf8'));

  it('writes the ConfigMap, volume, TestRun, results reader, Chaos Mesh workflow, plan and README', () => {
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(
      ['README.md', 'archive.tar', 'chaos-mesh.yaml', 'configmap.yaml', 'plan.json', 'results-reader.yaml', 'results-volume.yaml', 'script.js', 'testrun.yaml'].sort(),
    );
    const testRun = yamlOf('testrun.yaml');
    expect(testRun).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'tiny-cluster-stress', namespace: 'load' } });
    expect(testRun.spec.parallelism).toBe(8);
    expect(testRun.spec.script).toEqual({ configMap: { name: 'tiny-cluster-stress-script', file: 'archive.tar' } });
    expect(testRun.spec.args).toEqual(expect.arrayContaining(['--no-thresholds', 'experimental-prometheus-rw', 'json=/results/$(POD_NAME).json.gz', 'faultline_scenario=tiny-cluster', 'faultline_profile=stress']));
    const env = Object.fromEntries(testRun.spec.runner.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    const plan = JSON.parse(env.FAULTLINE_PLAN);
    expect(plan.originMs).toBe(0);
    expect(plan.phases.map((p: { name: string }) => p.name)).toEqual(['baseline', 'fault', 'recovery']);
    expect(plan.scenarios.faultline).toMatchObject({ executor: 'constant-arrival-rate', rate: 2400, timeUnit: '1m', maxVUs: 30 });
    expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    // A secret is a reference to a Secret, never a value.
    expect(env.APP_JWT_SECRET).toEqual({ secretKeyRef: { name: 'tiny-cluster-stress-secrets', key: 'APP_JWT_SECRET' } });
    const configMap = yamlOf('configmap.yaml');
    expect(Buffer.from(configMap.binaryData['archive.tar'], 'base64').equals(readFileSync(join(out, 'archive.tar')))).toBe(true);
    expect(yamlOf('results-volume.yaml').spec.accessModes).toEqual(['ReadWriteMany']);
    const saved = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as DistributedPlan;
    expect(saved.k6).toEqual(plan);
    expect(saved.faults.map((f) => f.name)).toEqual(['slow', 'gone', 'slices']);
  });

  it('plays the network faults that carry over as a Chaos Mesh workflow on the scenario schedule, and says which do not', () => {
    const workflow = yamlOf('chaos-mesh.yaml');
    expect(workflow).toMatchObject({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow' });
    const templates = Object.fromEntries(workflow.spec.templates.map((t: { name: string }) => [t.name, t]));
    expect(templates.timeline.children).toEqual(['fault-0', 'fault-1']);
    expect(templates['fault-0'].children).toEqual(['fault-0-wait', 'fault-0-chaos']);
    expect(templates['fault-0-wait'].deadline).toBe('2s');
    expect(templates['fault-0-chaos']).toMatchObject({ templateType: 'NetworkChaos', deadline: '2s', networkChaos: { action: 'delay', delay: { latency: '150ms', jitter: '10ms' }, selector: { namespaces: ['load'], labelSelectors: { app: 'redis' } } } });
    expect(templates['fault-1-wait'].deadline).toBe('4s');
    expect(templates['fault-1-chaos']).toMatchObject({ deadline: '2s', networkChaos: { action: 'partition' } });
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| slices \(0 ms for 1000 ms\) \| network \| not carried over: slicer is a Toxiproxy toxic with no Chaos Mesh equivalent/);
    expect(readme).toContain('kubectl -n load create secret generic tiny-cluster-stress-secrets --from-literal=APP_JWT_SECRET="$APP_JWT_SECRET"');
    expect(readme).toContain('npx faultline analyse --plan plan.json results/*.json.gz');
  });

  it('makes an archive that k6 inspect reads, with the plan\'s load shape in its options', async () => {
    const k6 = await new Toolbox().get('k6');
    const { stdout } = await run(k6.path, ['inspect', join(out, 'archive.tar')]);
    const options = JSON.parse(stdout);
    expect(options.scenarios.faultline).toMatchObject({ executor: 'constant-arrival-rate', rate: 2400, timeUnit: '1m0s', duration: '8s', preAllocatedVUs: 30, maxVUs: 30 });
    expect(Object.keys(options.thresholds)).toContain('http_req_failed{phase:fault}');
  });

  it('validates the TestRun against the k6-operator TestRun CRD (v1.6.0) OpenAPI schema', (context) => {
    const crdFile = testRunCrd();
    if (!crdFile) {
      console.log('skipped: no TestRun CRD (set FAULTLINE_TESTRUN_CRD to k6-operator v1.6.0 config/crd/bases/k6.io_testruns.yaml, or put it in shared/k6-operator/)');
      context.skip();
    }
    const crd = parseAllDocuments(readFileSync(crdFile!, 'utf8')).map((d) => d.toJSON()).find((d) => d?.kind === 'CustomResourceDefinition');
    expect(crd.spec.names.kind).toBe('TestRun');
    const schema = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1').schema.openAPIV3Schema;
    // OpenAPI's x-kubernetes-* keywords and int32/int64 formats are Kubernetes', not JSON Schema's: ignored here, as the API server's structural checks do not need them.
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
    const testRun = yamlOf('testrun.yaml');
    expect(validate(testRun), JSON.stringify(validate.errors)).toBe(true);
    // The validator does find a broken one.
    expect(validate({ ...testRun, spec: { ...testRun.spec, parallelism: 'eight', runner: { ...testRun.spec.runner, env: [{ value: 'no name' }] } } })).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/spec/parallelism', '/spec/runner/env/0']));
  });
});
