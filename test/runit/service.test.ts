import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sendControlRequest } from '../../src/control/client.js';
import { controlSocketPath } from '../../src/control/protocol.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { appDir } from '../../scripts/harness/panel.js';
import { spawnAsUser, userEnvironment } from '../../scripts/harness/run-as-user.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * The runit user service (runit/cexbar/run) as runit starts it: outside Sway, without SWAYSOCK
 * or WAYLAND_DISPLAY. It must find the headless Sway's sockets itself and start the real panel,
 * or say that no Sway runs.
 */

const SERVICE = join(__dirname, '..', '..', '..', 'runit', 'cexbar');
const dir = mkdtempSync(join(tmpdir(), 'cexbar-runit-'));
let session: SwaySession;
let binDir: string;
const cleanUps: (() => Promise<void>)[] = [
  () => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
];

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  chmodSync(dir, 0o755);
  // The user may not reach the checkout: the script and a PATH with cexbar go where it can.
  copyFileSync(join(SERVICE, 'run'), join(dir, 'run'));
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  symlinkSync(join(appDir(), 'bin', 'cexbar'), join(binDir, 'cexbar'));
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

/** Runs the service's script as the desktop user with only what runsvdir would give it. */
function startService(runtimeDir: string, extra: Record<string, string> = {}): ChildProcess {
  const env = userEnvironment(session.user, {
    PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    ...extra,
  });
  return spawnAsUser(session.user, ['sh', join(dir, 'run')], env, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function outputOf(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return () => output;
}

test('both scripts of the service are valid POSIX sh', () => {
  for (const script of ['run', join('log', 'run')]) {
    const result = spawnSync('dash', ['-n', join(SERVICE, script)], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${script}: ${result.stderr}`);
  }
});

test('started outside Sway, the service finds its sockets and runs the panel', async () => {
  const child = startService(session.runtimeDir);
  const output = outputOf(child);
  try {
    const socket = controlSocketPath(session.runtimeDir);
    const deadline = Date.now() + 20_000;
    let state: PanelSnapshot | null = null;
    while (state === null) {
      assert.equal(child.exitCode, null, `the service exited:\n${output()}`);
      state = (await sendControlRequest(socket, { command: 'state' }).catch(
        () => null,
      )) as PanelSnapshot | null;
      if (state === null) {
        assert.ok(Date.now() < deadline, `the panel did not answer:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.deepEqual(
      state.bars.map((bar) => [bar.output, bar.layerShell]),
      [['HEADLESS-1', true]],
    );
    // The panel's own log line went to stdout (exec 2>&1), for svlogd.
    assert.match(output(), /^cexbar: panel: running on 1 output\(s\)/m);
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

test('without a Sway the service says so and exits, for runit to try again', async () => {
  const empty = join(dir, 'no-sway');
  mkdirSync(empty, { mode: 0o700 });
  chownSync(empty, session.user.uid, session.user.gid);
  const child = startService(empty, { CEXBAR_SWAY_WAIT: '1' });
  const output = outputOf(child);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 1);
  assert.equal(
    output(),
    `cexbar: no Sway runs for uid ${session.user.uid} (no live sway-ipc.${session.user.uid}.PID.sock ` +
      `with its Wayland socket in ${empty}); trying again when runit restarts this service\n`,
  );
});
