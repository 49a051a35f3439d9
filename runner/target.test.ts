import { describe, expect, it } from 'vitest';
import { RemoteTargetRefusedError } from './errors.ts';
import { checkTarget, isLoopback } from './target.ts';

describe('target checks', () => {
  it('treats 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    for (const url of ['http://127.0.0.1:3000', 'http://127.1.2.3/x', 'http://[::1]:80', 'http://localhost:8080', 'http://app.localhost']) expect(isLoopback(url), url).toBe(true);
    for (const url of ['http://10.0.0.1', 'https://api.example.com', 'http://128.0.0.1', 'http://[::2]', 'not a url']) expect(isLoopback(url), url).toBe(false);
  });

  it('refuses a remote target unless allowed, and then says where the load goes', () => {
    expect(() => checkTarget('https://api.example.com', false, () => {})).toThrow(RemoteTargetRefusedError);
    const lines: string[] = [];
    checkTarget('https://api.example.com/v1', true, (l) => lines.push(l));
    expect(lines.join()).toContain('https://api.example.com');
  });
});
