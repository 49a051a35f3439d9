import { FaultlineError } from '../../lib/errors.ts';
import { readJson } from '../../lib/files.ts';
import type { K6Plan } from '../k6-driver.ts';
import type { Scenario, ScheduledFault } from '../scenario.ts';

/**
 * plan.json of an exported run: what `faultline analyse` needs to judge results gathered
 * from elsewhere (the pods of a k6-operator TestRun) as a local run is judged: the phases,
 * the thresholds, the faults as scheduled, the recovery bound.
 */
export interface DistributedPlan {
  kind: 'faultline-distributed-plan';
  name: string;
  scenario: string;
  description: string;
  /** The scenario file, relative to where the export was made. */
  scenarioFile: string;
  profile: string;
  parallelism: number;
  executor: Scenario['load']['executor'];
  /** The load in words (its groups, rates and stages), for the README and the analysed report. */
  load: string;
  /** What the k6 helper reads from FAULTLINE_PLAN (originMs 0: each pod's scenario start). */
  k6: K6Plan;
  faults: ScheduledFault[];
  recovery?: Scenario['assertions']['recovery'];
}

/** A plan.json that is missing or is not one. Exit code 2. */
export class PlanFileInvalidError extends FaultlineError {
  constructor(file: string, why: string) {
    super(`${file}: ${why}. \`faultline analyse --plan\` takes the plan.json that \`faultline export k8s\` wrote beside the manifests.`);
  }
}

export function readPlanFile(file: string): DistributedPlan {
  const plan = readJson<DistributedPlan>(file);
  if (!plan) throw new PlanFileInvalidError(file, 'not found, or not JSON');
  if (plan.kind !== 'faultline-distributed-plan' || !plan.k6?.phases?.length) throw new PlanFileInvalidError(file, 'not a Faultline plan (no kind "faultline-distributed-plan" with phases)');
  return plan;
}
