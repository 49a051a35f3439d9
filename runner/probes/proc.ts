import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
export const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

/** One process as /proc/<pid>/stat has it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
}

let cache: { atMs: number; stats: ProcStat[] } | undefined;

/**
 * Every process's stat line, read once and shared by every process probe of the same
 * tick (the scan is the costly part: one small read per process).
 */
export function processTable(maxAgeMs = 200): ProcStat[] {
  const now = Date.now();
  if (cache && now - cache.atMs < maxAgeMs) return cache.stats;
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  cache = { atMs: now, stats };
  return stats;
}

/** /proc/<pid>/stat parsed; undefined when the process is gone. */
export function readStat(pid: number): ProcStat | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command may contain spaces and parentheses: fields start after the last ')'.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

/**
 * `root` and its descendants, walked through /proc/<pid>/task/<pid>/children: two small
 * reads per process instead of a scan of every process on the machine. Undefined where
 * the kernel has no children files (then processTree's full scan is the way).
 */
export function descendants(root: number): ProcStat[] | undefined {
  const found: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const stat = readStat(pid);
    if (!stat) continue;
    found.push(stat);
    // The main thread's children: servers fork and spawn from it (Postgres's backends, a shell's command).
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1');
    } catch {
      if (pid === root) return undefined;
      continue;
    }
    for (const child of children.split(' ')) if (child) queue.push(Number(child));
  }
  return found;
}

/** The processes of `root`'s process group and every descendant of `root` (a server and its workers). */
export function processTree(root: number, table: ProcStat[] = processTable()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const found = new Map<number, ProcStat>();
  for (const p of table) if (p.pgrp === root || p.pid === root) found.set(p.pid, p);
  const queue = [...found.values()];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!.pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        queue.push(child);
      }
    }
  }
  return [...found.values()];
}
