import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/*
 * The tray's test programs (tray-item.ts, tray-watcher.ts) as the tests drive them: started by
 * the caller (as the desktop user in a Sway session, or as is on a bare bus), read line by line.
 */

/** The compiled program's path, for `node PATH ...`. */
export function trayProgram(name: 'tray-item' | 'tray-watcher', appDir: string): string {
  return join(appDir, 'dist', 'scripts', 'harness', `${name}.js`);
}

export interface LineProgram {
  process: ChildProcess;
  /** Every line it printed so far. */
  lines(): string[];
  /** Waits for a printed line that matches, counting only lines after the first `skip`. */
  waitForLine(pattern: RegExp, options?: { skip?: number; timeoutMs?: number }): Promise<string>;
  /** Sends one command line to its stdin. */
  send(line: string): void;
  stop(): Promise<void>;
}

/** Follows a started program's stdout (and keeps its stderr for errors). */
export function followProgram(child: ChildProcess, name: string): LineProgram {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let exited = false;
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of [...waiters]) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.on('exit', () => {
    exited = true;
    for (const wake of [...waiters]) wake();
  });
  return {
    process: child,
    lines: () => [...lines],
    waitForLine: (pattern, options = {}) =>
      new Promise((resolve, reject) => {
        const skip = options.skip ?? 0;
        const check = (): boolean => {
          const found = lines.slice(skip).find((line) => pattern.test(line));
          if (found !== undefined) resolve(found);
          else if (exited) reject(new Error(`harness: ${name} exited; stderr:\n${stderr}`));
          else return false;
          return true;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`harness: ${name} printed no ${pattern}; lines:\n${lines.join('\n')}`));
        }, options.timeoutMs ?? 15_000);
        const wake = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
      }),
    send: (line) => child.stdin?.write(`${line}\n`),
    stop: async () => {
      if (exited || child.pid === undefined) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
