// The client side of bench:mocks llm, a plain node process of its own (no tsx loader, none of
// the bench's modules) that makes as little garbage as it can: bytes are never decoded, only
// searched for the first content token and [DONE]. It starts COUNT streamed chat completions
// against 127.0.0.1:PORT at PER_SECOND (open loop, times from each stream's *scheduled* start)
// and prints one JSON line: { results: [{ ok, firstTokenMs, endMs, error? }], cpuMs }.
// Usage: node sse-client.mjs <port> <count> <perSecond>
import { Agent, request } from 'node:http';

const [port, count, perSecond] = process.argv.slice(2).map(Number);
const FIRST_TOKEN = Buffer.from('"delta":{"content":');
const DONE = Buffer.from('data: [DONE]\n\n');

function stream(agent, body, started) {
  return new Promise((resolve) => {
    let firstTokenMs = NaN;
    // Whether the bytes so far end with [DONE]; a chunk shorter than that is checked with the bytes before it.
    let done = false;
    let last = Buffer.alloc(0);
    const fail = (error) => resolve({ ok: false, firstTokenMs, endMs: performance.now() - started, error: error.message });
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.on('data', (chunk) => {
          if (Number.isNaN(firstTokenMs) && chunk.indexOf(FIRST_TOKEN) !== -1) firstTokenMs = performance.now() - started;
          const end = chunk.length >= DONE.length ? chunk.subarray(-DONE.length) : Buffer.concat([last, chunk]).subarray(-DONE.length);
          done = end.equals(DONE);
          // A copy of the last bytes only: a reference to the chunk would keep the socket's whole read buffer alive.
          last = Buffer.from(end);
        });
        res.on('end', () => {
          resolve({ ok: res.statusCode === 200 && done, firstTokenMs, endMs: performance.now() - started, ...(res.statusCode === 200 ? {} : { error: `HTTP ${res.statusCode}` }) });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const streams = [];
const started = performance.now();
while (streams.length < count) {
  // Catch up on every start that is due, then yield: a steady ramp without one timer per stream.
  const due = Math.min(count, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
  while (streams.length < due) {
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `question ${streams.length}` }] });
    streams.push(stream(agent, body, started + (streams.length * 1000) / perSecond));
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const results = await Promise.all(streams);
agent.destroy();
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ results, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
