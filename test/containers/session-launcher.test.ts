import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CommandRunner } from '../../src/containers/command-runner.js';
import { LxcBackend } from '../../src/containers/lxc-backend.js';
import { ContainerNameError } from '../../src/containers/names.js';
import { SessionLauncher, type GraphicalSession } from '../../src/containers/session-launcher.js';

/*
 * What the launcher runs and where, without a Sway: a spawner that records the argv and the
 * environment and runs a real short-lived process in their place. The sessions themselves are
 * tested in a real Sway in container-sessions.test.ts.
 */

interface Spawned {
  argv: readonly string[];
  env: Record<string, string>;
  fds: readonly number[] | undefined;
}

describe('SessionLauncher', () => {
  const runtimeDir = mkdtempSync(join(tmpdir(), 'cexbar-runtime-'));
  const hostSocket = join(runtimeDir, 'wayland-1');
  const spawned: Spawned[] = [];
  const launcher = new SessionLauncher({
    runtimeDir,
    hostWaylandDisplay: hostSocket,
    backend: new LxcBackend('/var/lib/lxc', new CommandRunner({ sudo: true })),
    spawn: (argv, env, fds) => {
      spawned.push({ argv, env, fds });
      return spawn('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    },
  });

  after(() => {
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  test('creates the session folder with mode 0700 under the runtime folder', () => {
    const dir = launcher.prepare('work');
    assert.equal(dir, join(runtimeDir, 'cexbar', 'sessions', 'work'));
    for (const folder of [
      join(runtimeDir, 'cexbar'),
      join(runtimeDir, 'cexbar', 'sessions'),
      dir,
    ]) {
      assert.equal(statSync(folder).mode & 0o777, 0o700, folder);
    }
  });

  test('runs weston nested on the host socket, its own socket in the session folder', async () => {
    process.env.SWAYSOCK = '/run/user/1000/sway-ipc.sock';
    try {
      const session: GraphicalSession = {
        type: 'weston',
        width: 800,
        height: 600,
        args: ['--idle-time=0'],
      };
      const launched = await launcher.launch('work', session);
      assert.equal(await launched.exited, 'exited with code 3');
    } finally {
      delete process.env.SWAYSOCK;
    }
    const ini = join(runtimeDir, 'cexbar', 'weston.ini');
    const last = spawned.at(-1);
    assert.deepEqual(last?.argv, [
      'weston',
      '--backend=wayland-backend.so',
      '--socket=wayland-0',
      '--width=800',
      '--height=600',
      `--config=${ini}`,
      '--idle-time=0',
    ]);
    assert.equal(last.env.XDG_RUNTIME_DIR, join(runtimeDir, 'cexbar', 'sessions', 'work'));
    assert.equal(last.env.WAYLAND_DISPLAY, hostSocket);
    assert.equal(last.env.SWAYSOCK, undefined);
    assert.match(
      readFileSync(ini, 'utf8'),
      /^\[core\]\nidle-time=0\n\n\[shell\]\npanel-position=none\n/,
    );
  });

  test("runs cage around the helper's attach, which gives the container its socket", async () => {
    await launcher.launch('work', { type: 'cage', command: ['foot', '--server'] });
    assert.deepEqual(spawned.at(-1)?.argv, [
      'cage',
      '--',
      '/usr/bin/sudo',
      '-n',
      '/usr/local/libexec/cexbar/cexbar-lxc-helper',
      'attach',
      '/var/lib/lxc',
      'work',
      '--',
      'foot',
      '--server',
    ]);
  });

  test('runs Xwayland on an X socket in the session folder, then the program via attach-x', async () => {
    const first = spawned.length;
    const launched = await launcher.launch('xapp', { type: 'xwayland', command: ['xterm', '-e'] });
    assert.equal(await launched.exited, 'exited with code 3');
    const display = launched.display ?? -1;
    assert.ok(display >= 32 && display <= 999, String(display));

    const dir = join(runtimeDir, 'cexbar', 'sessions', 'xapp');
    const [server, program] = spawned.slice(first);
    assert.deepEqual(server?.argv, [
      'Xwayland',
      `:${display}`,
      '-listenfd',
      '3',
      '-ac',
      '-terminate',
    ]);
    assert.equal(server.fds?.length, 1);
    assert.equal(server.env.XDG_RUNTIME_DIR, dir);
    assert.equal(server.env.WAYLAND_DISPLAY, hostSocket);
    assert.deepEqual(program?.argv, [
      '/usr/bin/sudo',
      '-n',
      '/usr/local/libexec/cexbar/cexbar-lxc-helper',
      'attach-x',
      '/var/lib/lxc',
      'xapp',
      String(display),
      '--',
      'xterm',
      '-e',
    ]);
    assert.deepEqual(Object.keys(program.env), ['PATH']);
    assert.ok(lstatSync(join(dir, `X${display}`)).isSocket());
    assert.equal(existsSync(join(dir, `X${display}.new`)), false);
  });

  test("gives a second Xwayland session another display than the first one's socket", async () => {
    const first = await launcher.launch('xapp', { type: 'xwayland', command: ['xterm'] });
    const second = await launcher.launch('xapp2', { type: 'xwayland', command: ['xterm'] });
    assert.notEqual(first.display, second.display);
    // The first container's folder holds only its newest socket: the stale one was removed.
    const sockets = (name: string): string[] =>
      readdirSync(join(runtimeDir, 'cexbar', 'sessions', name)).filter((e) => e.startsWith('X'));
    assert.deepEqual(sockets('xapp'), [`X${first.display ?? ''}`]);
    await Promise.all([first.exited, second.exited]);
  });

  test('refuses a symlink in place of a session folder', () => {
    const linked = join(runtimeDir, 'cexbar', 'sessions', 'linked');
    mkdirSync(join(runtimeDir, 'elsewhere'));
    symlinkSync(join(runtimeDir, 'elsewhere'), linked);
    assert.throws(() => launcher.prepare('linked'), {
      message: `session launcher: ${linked} must be a folder, found something else there`,
    });
  });

  test('refuses an invalid container name before creating anything', () => {
    assert.throws(() => launcher.prepare('../x'), ContainerNameError);
  });

  test('finds no running compositor for a folder nobody serves', () => {
    assert.equal(launcher.findRunning('work'), null);
  });
});
