import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { controlSocketPath } from '../../src/control/protocol.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * `cexbar run` failing after it has opened GTK and connected to Sway: a second panel in a real
 * headless Sway, refused because the first one answers on the control socket.
 */

let session: SwaySession;
let first: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  first = await startPanel(session, { config: '{ "modules": ["workspaces", "clock"] }' });
  cleanUps.push(() => first.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

interface Ended {
  code: number | null;
  stderr: string;
}

/** Waits for the process to end; a process still alive after `timeoutMs` is killed and fails. */
function ended(child: ChildProcess, timeoutMs: number): Promise<Ended> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms; its stderr:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('a panel that fails while starting exits with status 1 after its one line', async () => {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const second = session.spawn(
    ['node', main, 'run'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
    {
      XDG_CONFIG_HOME: first.configDir,
    },
  );
  const socket = controlSocketPath(session.runtimeDir);
  assert.deepEqual(await ended(second, 15_000), {
    code: 1,
    stderr:
      'cexbar: another cexbar is already running in this session ' +
      `(its control socket ${socket} answers)\n`,
  });
  // The first panel is untouched.
  assert.equal((await first.state()).bars.length, 1);
});
