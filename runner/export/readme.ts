import { formatMs } from '../../lib/durations.ts';
import type { CarryOver } from './cluster-faults.ts';
import type { DistributedPlan } from './plan-file.ts';

/** The README of an export folder: what is in it, how to apply it, how to collect and judge the results, what of the faults carries over. */
export function renderExportReadme(plan: DistributedPlan, o: { name: string; namespace: string; target: string; outputs: string[]; secretEnv: string[]; workflow: boolean; faults: CarryOver[]; archiveBytes: number; hasBefore: boolean; invariants: number }): string {
  const ns = o.namespace;
  const lines = [
    `# ${plan.scenario} (${plan.profile}) on k6-operator: ${plan.parallelism} pods`,
    '',
    `Written by \`faultline export k8s\` from \`${plan.scenarioFile}\`. The load of one local run (${plan.load}, ${formatMs(plan.k6.phases.at(-1)!.endMs)} over ${plan.k6.phases.map((p) => p.name).join(' → ')}) split by k6 execution segments over ${plan.parallelism} runner pods of a [k6-operator](https://github.com/grafana/k6-operator) \`TestRun\`, against \`${o.target}\`.`,
    '',
    '| file | what |',
    '| --- | --- |',
    '| `configmap.yaml` | the script as a `k6 archive` (Faultline\'s helper and every import inside), key `archive.tar` |',
    '| `results-volume.yaml` | a ReadWriteMany volume where each pod writes its k6 points (`/results/<pod>.json.gz`) |',
    `| \`testrun.yaml\` | the TestRun: parallelism ${plan.parallelism}, the phase plan in \`FAULTLINE_PLAN\`, \`--out ${[...o.outputs, 'json=…'].join('`, `--out ')}\`, tags \`faultline_scenario\`, \`faultline_profile\`, \`faultline_run\` |`,
    '| `results-reader.yaml` | a pod that mounts the volume, to copy the results out |',
    ...(o.workflow ? ['| `chaos-mesh.yaml` | a Chaos Mesh Workflow that plays the faults that carry over, on the scenario\'s schedule |'] : []),
    '| `plan.json` | what `faultline analyse` judges the results against (phases, thresholds, faults, recovery) |',
    '| `script.js` | the bundled script, to read (the archive holds the same) |',
    '',
    '## Run it',
    '',
    '```sh',
    ...(o.secretEnv.length ? [`kubectl -n ${ns} create secret generic ${o.name}-secrets ${o.secretEnv.map((n) => `--from-literal=${n}="$${n}"`).join(' ')}`] : []),
    `kubectl -n ${ns} apply -f configmap.yaml -f results-volume.yaml`,
    `kubectl -n ${ns} apply -f testrun.yaml`,
    `kubectl -n ${ns} wait --for=jsonpath='{.status.stage}'=started testrun/${o.name} --timeout=10m`,
    ...(o.workflow ? [`kubectl -n ${ns} apply -f chaos-mesh.yaml        # right after "started": the phases count from the pods' start`] : []),
    `kubectl -n ${ns} wait --for=jsonpath='{.status.stage}'=finished testrun/${o.name} --timeout=1h`,
    '```',
    '',
    'The pods start paused and the operator starts them together, so every pod counts the phases from the same moment (`FAULTLINE_PLAN` has no origin; the helper takes the scenario\'s start). Each pod runs with `--no-thresholds`: a threshold over one pod\'s share means nothing, so they are judged over all of them below.',
    ...(o.outputs.some((out) => out.startsWith('experimental-prometheus-rw')) ? ['', 'Prometheus remote write goes to `K6_PROMETHEUS_RW_SERVER_URL` in `testrun.yaml` (set it to your Prometheus, with remote-write receiving on); metrics carry the tags above plus the operator\'s `instance_id` and `testrun_name`.'] : []),
    '',
    '## Collect and judge',
    '',
    '```sh',
    `kubectl -n ${ns} apply -f results-reader.yaml && kubectl -n ${ns} wait --for=condition=Ready pod/${o.name}-results-reader`,
    `kubectl -n ${ns} cp ${o.name}-results-reader:/results ./results`,
    'npx faultline analyse --plan plan.json results/*.json.gz     # the same per-phase verdict, reports and exit code as a local run',
    `kubectl -n ${ns} delete -f results-reader.yaml -f testrun.yaml${o.workflow ? ' -f chaos-mesh.yaml' : ''}`,
    '```',
    '',
    '`faultline analyse` merges the pods\' points, puts them on one time axis (from the first request), and judges phases, thresholds and recovery as a local run does; the recovery is measured after the faults\' scheduled reverts, since nothing here records when Chaos Mesh really applied them.',
    '',
    '## Faults in a cluster',
    '',
  ];
  if (o.faults.length === 0) {
    lines.push('The scenario plays no faults.');
  } else {
    lines.push('| fault | layer | in a cluster |', '| --- | --- | --- |');
    for (const c of o.faults) lines.push(`| ${c.fault.name} (${formatMs(c.fault.atMs)} for ${c.fault.durationMs === undefined ? 'the rest' : formatMs(c.fault.durationMs)}) | ${c.layer} | ${c.note} |`);
    if (o.workflow) lines.push('', `\`chaos-mesh.yaml\` selects the pods labelled \`app=<target>\` in \`${ns}\`: edit each selector to match your dependency's pods before applying it.`);
  }
  lines.push(
    '',
    'What carries over: the network layer (Chaos Mesh NetworkChaos on the dependency\'s pods, or Toxiproxy as a sidecar), and killing a pod. What does not: the http layer (the mocks\' control API: in a cluster the app calls the real provider), the chain layer (Anvil), and process signals to a local service.',
    '',
    'Toxiproxy as a sidecar keeps the exact local faults (every toxic, `down` refusing at once): add a `ghcr.io/shopify/toxiproxy:2.12.0` container to the app\'s pod, create one proxy per dependency (`toxiproxy-cli create -l 127.0.0.1:16379 -u redis:6379 redis`), point the app\'s dependency URLs at `127.0.0.1:<proxy port>`, and drive it during the run through its API on port 8474 (`kubectl port-forward`), e.g. `curl -X POST :8474/proxies/redis -d \'{"enabled":false}\'` for `down`.',
    '',
  );
  if (o.hasBefore || o.invariants > 0) {
    lines.push(
      `**Not in the cluster run**: ${[o.hasBefore ? "the scenario's `before` hook (data it prepares for the load: prepare the same in the cluster, or the script must do without)" : '', o.invariants ? `its ${o.invariants} invariant(s) (checked after a local run against the local environment; check them against the cluster's data by hand)` : ''].filter(Boolean).join('; ')}.`,
      '',
    );
  }
  if (o.archiveBytes * 4 / 3 > 900_000) lines.push(`**Size**: the archive is ${Math.round(o.archiveBytes / 1024)} KiB; a ConfigMap holds about 1 MiB. If \`kubectl apply\` refuses it, put \`archive.tar\` on a volume and use \`spec.script.volumeClaim\` instead.`, '');
  return lines.join('\n');
}

