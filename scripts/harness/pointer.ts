import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { appDir } from './panel.js';
import type { SwaySession } from './sway-session.js';

/*
 * A real pointer in the harness Sway, whose headless seat has none: the small client of the
 * wlroots virtual-pointer protocol in scripts/harness/virtual-pointer.c, kept running in its
 * serve mode for the session so that clients hold a wl_pointer before the first click.
 *
 *   const pointer = await startPointer(session);
 *   await pointer.click(x, y, 'right');   // output-layout coordinates, as in a screenshot
 *   await pointer.scroll(x, y, 'down');
 *   await pointer.stop();                 // also ended with the test process
 *
 * Each call resolves once Sway has handled the events (a Wayland round trip), not once the
 * client under the pointer has reacted: wait for that client's state or pixels.
 */

export type PointerButton = 'left' | 'right' | 'middle';
export type ScrollDirection = 'up' | 'down' | 'left' | 'right';

export interface Pointer {
  click(x: number, y: number, button?: PointerButton): Promise<void>;
  move(x: number, y: number): Promise<void>;
  scroll(x: number, y: number, direction: ScrollDirection): Promise<void>;
  stop(): Promise<void>;
}

const SOURCE = join(__dirname, '..', '..', '..', 'scripts', 'harness', 'virtual-pointer.c');

const livePointers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of livePointers) child.kill('SIGKILL');
});

/** The built client (scripts/setup.sh builds it); built here when missing, e.g. in a worktree. */
export function virtualPointerProgram(): string {
  const program = join(appDir(), 'dist', 'virtual-pointer');
  if (existsSync(program)) return program;
  if (!existsSync(SOURCE)) throw new Error(`harness: ${program} is missing: run scripts/setup.sh`);
  execFileSync('cc', ['-O2', '-Wall', '-o', program, SOURCE, '-lwayland-client'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  chmodSync(program, 0o755);
  return program;
}

/** Starts the virtual pointer as the session's user; its device stays on the seat until stop. */
export async function startPointer(session: SwaySession): Promise<Pointer> {
  const child = session.spawn([virtualPointerProgram(), 'serve'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  livePointers.add(child);
  const { stdin, stdout } = child;
  if (stdin === null || stdout === null) throw new Error('harness: virtual-pointer has no pipes');
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const answers = createInterface({ input: stdout });
  const waiting: Array<(line: string | null) => void> = [];
  answers.on('line', (line) => waiting.shift()?.(line));
  child.on('exit', () => {
    livePointers.delete(child);
    for (const resolve of waiting.splice(0)) resolve(null);
  });

  // Commands go one at a time: each answer belongs to the oldest command still waiting.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (command: string): Promise<void> => {
    const result = queue.then(
      () =>
        new Promise<void>((resolve, reject) => {
          waiting.push((line) => {
            if (line === 'ok') resolve();
            else reject(new Error(`virtual-pointer ${command}: ${line ?? `exited: ${stderr}`}`));
          });
          stdin.write(`${command}\n`);
        }),
    );
    queue = result.catch(() => undefined);
    return result;
  };

  const pointer: Pointer = {
    click: (x, y, button = 'left') => send(`click ${x} ${y} ${button}`),
    move: (x, y) => send(`move ${x} ${y}`),
    scroll: (x, y, direction) => send(`scroll ${x} ${y} ${direction}`),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      stdin.end();
      await gone;
    },
  };
  // A first motion proves the device works before a test relies on it.
  await pointer.move(1, 1);
  return pointer;
}
