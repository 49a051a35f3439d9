/**
 * `npm run bench:mocks [-- <section>...]`: the mocks' benchmarks, one named section per
 * mock (each in bench/mocks/<name>.ts, owning its own environment). Without arguments
 * every section runs; the process fails if any section misses its targets.
 */
import { runLlmBench } from './mocks/llm.ts';
import { runRpcBench } from './mocks/rpc.ts';

/** Section name → run; resolves to whether its targets were met. */
const sections: Record<string, () => Promise<boolean>> = {
  rpc: async () => (await runRpcBench()).pass,
  llm: async () => (await runLlmBench()).pass,
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length) {
  console.error(`unknown bench:mocks section(s): ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
const failed: string[] = [];
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  console.log(`\n── ${name} ──`);
  if (!(await sections[name]!())) failed.push(name);
}
if (failed.length) console.log(`\nbench:mocks: targets missed in ${failed.join(', ')}`);
process.exitCode = failed.length ? 1 : 0;
