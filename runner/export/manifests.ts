import type { DistributedPlan } from './plan-file.ts';

/** A Kubernetes object as written to YAML. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> } } & Record<string, unknown>;

export interface ManifestOptions {
  name: string;
  namespace: string;
  /** Where the load goes from inside the cluster, e.g. http://shop.default.svc:8080. */
  target: string;
  /** The k6 image of the runner pods, e.g. grafana/k6:1.8.1 (the version the archive was made with). */
  image: string;
  /** `--out` values besides the JSON results, e.g. experimental-prometheus-rw; empty for none. */
  outputs: string[];
  /** Env the outputs need (K6_PROMETHEUS_RW_SERVER_URL, ...). */
  outputEnv: Record<string, string>;
  /** Plain values for the script (`--env`), and names of values that come from a Secret (`--secret-env`). */
  env: Record<string, string>;
  secretEnv: string[];
  /** The ConfigMap's `archive.tar`, base64. */
  archiveBase64: string;
  seed: number;
  resultsStorage: string;
}

/** Where each runner pod writes its k6 points, on the shared results volume. */
export const RESULTS_MOUNT = '/results';

const labels = (plan: DistributedPlan) => ({ 'app.kubernetes.io/managed-by': 'faultline', 'faultline/scenario': plan.scenario, 'faultline/profile': plan.profile });

/**
 * The k6-operator objects of a distributed run: the script (a `k6 archive`, helper and
 * imports inside) in a ConfigMap, a ReadWriteMany volume for the pods' JSON results, and
 * the TestRun (k6.io/v1alpha1) splitting the load over `parallelism` pods, the phase plan
 * in their env. Thresholds are judged afterwards over every pod's results
 * (`faultline analyse`), not by each pod on its share, hence `--no-thresholds`.
 */
export function k8sManifests(plan: DistributedPlan, o: ManifestOptions): { configMap: Manifest; volume: Manifest; testRun: Manifest } {
  const meta = (name: string) => ({ name, namespace: o.namespace, labels: labels(plan) });
  const configMap: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${o.name}-script`), binaryData: { 'archive.tar': o.archiveBase64 } };
  const volume: Manifest = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(`${o.name}-results`),
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: o.resultsStorage } } },
  };
  const tags = { faultline_scenario: plan.scenario, faultline_profile: plan.profile, faultline_run: o.name };
  const args = [
    '--no-thresholds',
    ...o.outputs.flatMap((out) => ['--out', out]),
    // $(POD_NAME) is expanded by Kubernetes from the container's env: one file per pod.
    '--out',
    `json=${RESULTS_MOUNT}/$(POD_NAME).json.gz`,
    ...Object.entries(tags).flatMap(([k, v]) => ['--tag', `${k}=${v}`]),
  ];
  const env = [
    { name: 'FAULTLINE_PLAN', value: JSON.stringify(plan.k6) },
    { name: 'FAULTLINE_TARGET', value: o.target },
    { name: 'FAULTLINE_SEED', value: String(o.seed) },
    { name: 'K6_NO_USAGE_REPORT', value: 'true' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ...Object.entries({ ...o.outputEnv, ...o.env }).map(([name, value]) => ({ name, value })),
    ...o.secretEnv.map((name) => ({ name, valueFrom: { secretKeyRef: { name: `${o.name}-secrets`, key: name } } })),
  ];
  const testRun: Manifest = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(o.name),
    spec: {
      parallelism: plan.parallelism,
      script: { configMap: { name: `${o.name}-script`, file: 'archive.tar' } },
      args,
      runner: {
        image: o.image,
        env,
        volumes: [{ name: 'faultline-results', persistentVolumeClaim: { claimName: `${o.name}-results` } }],
        volumeMounts: [{ name: 'faultline-results', mountPath: RESULTS_MOUNT }],
        metadata: { labels: labels(plan) },
      },
    },
  };
  return { configMap, volume, testRun };
}

/** A pod that mounts the results volume, for `kubectl cp` once the TestRun has finished. */
export function resultsReader(o: Pick<ManifestOptions, 'name' | 'namespace'>): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${o.name}-results-reader`, namespace: o.namespace, labels: { 'app.kubernetes.io/managed-by': 'faultline' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'reader', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT }] }],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } }],
    },
  };
}
