import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { isAbsolute, relative } from 'node:path';
import { loadScenario } from '../../runner/scenario.ts';

const positive = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number, 1 or more');
  return Number(value);
};
const repeat = (value: string, previous: string[] = []) => [...previous, value];
const envPair = (value: string, previous: Record<string, string> = {}) => {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new InvalidArgumentError('expected KEY=VALUE');
  return { ...previous, [match[1]!]: match[2]! };
};

interface ExportFlags {
  profile?: string;
  parallelism: number;
  out: string;
  target: string;
  name?: string;
  namespace: string;
  output?: string[];
  prometheusUrl?: string;
  env?: Record<string, string>;
  secretEnv?: string[];
  image?: string;
  storage: string;
}

/** `faultline export k8s <scenario>`: the scenario's load as a k6-operator TestRun, for load one machine cannot make. */
export function registerExport(program: Command, global: () => { config?: string }): void {
  const exportCommand = program.command('export').description('write a scenario for another engine: k8s (a k6-operator TestRun)');
  exportCommand
    .command('k8s')
    .description('a k6-operator TestRun splitting the load over --parallelism pods, its script as a k6 archive in a ConfigMap, Chaos Mesh for the faults that carry over, and a README')
    .argument('<scenario>', 'a scenario name or a path to a scenario file')
    .requiredOption('--out <dir>', 'a new folder for the manifests')
    .requiredOption('--target <url>', 'where the load goes from inside the cluster, e.g. http://shop.default.svc:8080')
    .option('-p, --profile <name>', 'load profile (default: the scenario\'s default)')
    .option('--parallelism <n>', 'runner pods', positive, 1)
    .option('--name <name>', 'the TestRun\'s name (default: <scenario>-<profile>)')
    .option('--namespace <ns>', 'namespace of every object', 'default')
    .option('--output <out>', 'a k6 --out for the pods besides their JSON results (default: experimental-prometheus-rw); repeatable, "none" for only the JSON', repeat)
    .option('--prometheus-url <url>', 'K6_PROMETHEUS_RW_SERVER_URL for experimental-prometheus-rw')
    .option('--env <KEY=VALUE>', 'a value for the script (not a secret: it is written into the archive); repeatable', envPair)
    .option('--secret-env <NAME>', 'a variable the pods read from the Secret <name>-secrets (no value is written); repeatable', repeat)
    .option('--image <image>', 'runner image (default: grafana/k6 at the local k6 version)')
    .option('--storage <size>', 'size of the results volume', '5Gi')
    .action(async (name: string, flags: ExportFlags) => {
      const config = await loadConfig(global().config);
      const scenario = await loadScenario(name, config.scenariosDir);
      // Imported here, not at the top: every other command starts without it.
      const { exportK8s } = await import('../../runner/export/k8s.ts');
      const outputs = flags.output?.includes('none') ? [] : flags.output;
      const { dir, files } = await exportK8s({
        scenario,
        profile: flags.profile,
        parallelism: flags.parallelism,
        out: flags.out,
        target: flags.target,
        name: flags.name,
        namespace: flags.namespace,
        outputs,
        prometheusUrl: flags.prometheusUrl,
        env: flags.env,
        secretEnv: flags.secretEnv,
        seed: config.seed,
        image: flags.image,
        resultsStorage: flags.storage,
      });
      const shown = relative(process.cwd(), dir).startsWith('..') || isAbsolute(relative(process.cwd(), dir)) ? dir : relative(process.cwd(), dir);
      console.log(`wrote ${shown}/: ${files.map((f) => f.slice(dir.length + 1)).join(', ')}\nNext: read ${shown}/README.md (kubectl apply, then faultline analyse --plan ${shown}/plan.json <results>)`);
    });
}
