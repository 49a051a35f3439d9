import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Calls `each` with every line of a file, read in 1 MiB chunks (k6's point files run to hundreds of MB). A missing file has no lines. */
export function forEachLine(file: string, each: (line: string) => void): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const buffer = Buffer.alloc(1 << 20);
    // A chunk may end inside a multi-byte character: the decoder holds it for the next one.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n <= 0) break;
      position += n;
      const lines = (rest + decoder.write(buffer.subarray(0, n))).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) each(line);
    }
    rest += decoder.end();
    if (rest) each(rest);
  } finally {
    closeSync(fd);
  }
}
