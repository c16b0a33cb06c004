import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { spawnAsUser } from '../../scripts/harness/run-as-user.js';
import { CommandRunner } from '../../src/containers/command-runner.js';
import {
  ContainerService,
  type ContainerServiceOptions,
} from '../../src/containers/container-service.js';
import { configSchema } from '../../src/config/schema.js';
import { SwayClient } from '../../src/sway/client.js';
import { captureLog, type LogCapture } from './helpers/capture-log.js';
import { containerNamed, sessionOf } from './helpers/container-named.js';
import { createLxcSandbox, NO_NETWORK } from '../../scripts/harness/lxc.js';
import { waitForState } from '../helpers/wait-for-state.js';

/*
 * Sessions end to end: a real headless Sway run by the desktop user, real busybox containers
 * that bind-mount their session folder, and weston and cage run as that user, as the panel
 * runs them. The test itself is root, so the service gets a spawner that runs compositors as
 * the user, and a runner that goes through sudo -n as the panel's does (cage runs lxc-attach).
 */

const CAGE_PROGRAM =
  'echo $(id -u):$(id -g) > /run/cexbar-session/id.txt; env > /run/cexbar-session/env.txt; ' +
  'exec /opt/hostbin/weston-simple-shm';
// The user Cage's program runs as, by its ids in the (privileged) container, so on the host.
const KIOSK_USER = { uid: 1000, gid: 1000 };
// LXCex's id map: the container's root is host uid 200000.
const IDMAP = ['lxc.idmap = u 0 200000 65536', 'lxc.idmap = g 0 200000 65536'];

// Host X clients run in the container: xev stays connected (its first lines say it is),
// then xdpyinfo reports the screen; Xwayland ends (-terminate) once the last of them has left.
const X_DIR = '/tmp/.X11-unix';
const X_PROGRAM = [
  `env > ${X_DIR}/env.txt; ls ${X_DIR} > ${X_DIR}/ls.txt`,
  `/opt/hostbin/xev > ${X_DIR}/xev.txt 2>&1 &`,
  `while [ ! -s ${X_DIR}/xev.txt ]; do sleep 0.1; done`,
  `/opt/hostbin/xdpyinfo > ${X_DIR}/xdpyinfo.txt 2>&1; echo $? > ${X_DIR}/done.txt; wait`,
].join('\n');

const run = promisify(execFile);

describe('ContainerService sessions in a real Sway', () => {
  const lxc = createLxcSandbox();
  let sway: SwaySession;
  let windows: SwayClient;
  let service: ContainerService;
  let log: LogCapture;
  const sessionPids: number[] = [];

  /** The panel's service options, but compositors run as the desktop user (the test is root). */
  const serviceOptions = (): ContainerServiceOptions => ({
    lxcPath: lxc.path,
    containers: configSchema.parse({
      containers: {
        lxcPath: lxc.path,
        list: {
          gui: { session: { type: 'weston', width: 640, height: 400 } },
          kiosk: {
            session: { type: 'cage', command: ['/bin/sh', '-c', CAGE_PROGRAM] },
            user: KIOSK_USER,
          },
          mapped: { session: { type: 'weston', width: 300, height: 200 } },
          xapp: { session: { type: 'xwayland', command: ['/bin/sh', '-c', X_PROGRAM] } },
        },
      },
    }).containers,
    runtimeDir: sway.runtimeDir,
    hostWaylandDisplay: join(sway.runtimeDir, sway.env.WAYLAND_DISPLAY),
    windows,
    runner: new CommandRunner({ sudo: true }),
    spawnSession: (argv, env, fds = []) => {
      const stdio: ('ignore' | number)[] = ['ignore', 'ignore', 'ignore', ...fds];
      const child = spawnAsUser(sway.user, [...argv], env, { detached: true, stdio });
      if (child.pid !== undefined) sessionPids.push(child.pid);
      return child;
    },
    sessionOwner: { uid: sway.user.uid, gid: sway.user.gid },
  });

  before(async () => {
    sway = await startSwaySession();
    windows = await SwayClient.connect(sway.env.SWAYSOCK);
    const sessions = join(sway.runtimeDir, 'cexbar', 'sessions');
    for (const name of ['gui', 'kiosk', 'xapp', 'mapped']) {
      const target = name === 'xapp' ? X_DIR.slice(1) : 'run/cexbar-session';
      await lxc.create(name, [
        ...NO_NETWORK,
        ...(name === 'mapped' ? IDMAP : []),
        `lxc.mount.entry = ${sessions}/${name} ${target} none bind,create=dir 0 0`,
        // Host programs for the container to run as Wayland clients (their libraries are
        // bind-mounted by the busybox template already).
        'lxc.mount.entry = /usr/bin opt/hostbin none ro,bind,create=dir 0 0',
      ]);
    }
    // lxc-create hands an idmapped container's folder to its mapped root; LXCex keeps it
    // root's, mode 0751 (the mapped root only passes through), as the helper requires.
    chownSync(join(lxc.path, 'mapped'), 0, 0);
    chmodSync(join(lxc.path, 'mapped'), 0o751);
    log = captureLog();
    service = new ContainerService(serviceOptions());
    await service.start();
  });

  after(async () => {
    log.restore();
    service.close();
    windows.close();
    for (const pid of sessionPids) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await sway.stop();
    await lxc.destroy();
  });

  test('a click on a stopped container starts it and opens its weston as a window', async () => {
    await service.activate('gui');
    assert.equal(containerNamed(service.state, 'gui').state, 'RUNNING');
    const session = sessionOf(service.state, 'gui');
    assert.equal(session.status, 'running');
    const view = windows.state.views.find((candidate) => candidate.pid === session.pid);
    assert.ok(view !== undefined, 'no Sway view has the session pid');
    assert.equal(session.windowId, view.id);
    assert.match(view.title, /^Weston Compositor/);

    const socketDir = join(sway.runtimeDir, 'cexbar', 'sessions', 'gui');
    assert.equal(session.socketDir, socketDir);
    assert.equal(statSync(socketDir).mode & 0o777, 0o700);
    assert.ok(existsSync(join(socketDir, 'wayland-0')));
  });

  test("the container sees its compositor's socket and nothing of the host's session", async () => {
    const inside = await lxc.lxc('lxc-attach', '-n', 'gui', '--', '/bin/ls', '/run/cexbar-session');
    assert.deepEqual(
      inside.split('\n').filter((line) => line.startsWith('wayland')),
      ['wayland-0', 'wayland-0.lock'],
    );
    const hostSocket = join(sway.runtimeDir, sway.env.WAYLAND_DISPLAY);
    await assert.rejects(lxc.lxc('lxc-attach', '-n', 'gui', '--', '/bin/ls', hostSocket));
  });

  test("a cage session runs the container's program on its socket with a clean env", async () => {
    await service.activate('kiosk');
    const session = sessionOf(service.state, 'kiosk');
    assert.equal(session.status, 'running');
    const view = windows.state.views.find((candidate) => candidate.id === session.windowId);
    assert.equal(view?.appId, 'wlroots');

    // Cage maps its window before its program has run; the program's first act is the file.
    const envFile = join(sway.runtimeDir, 'cexbar', 'sessions', 'kiosk', 'env.txt');
    await waitUntil(() => existsSync(envFile), 'the program in the container to write env.txt');
    const variables = readFileSync(envFile, 'utf8').split('\n');
    assert.ok(
      variables.includes('WAYLAND_DISPLAY=/run/cexbar-session/wayland-0'),
      variables.join(' '),
    );
    assert.equal(
      variables.some((line) => line.startsWith('SWAYSOCK=')),
      false,
    );
    assert.equal(
      variables.some((line) => line.includes(sway.runtimeDir)),
      false,
    );
    // It ran as the configured user, who reached the 0700 folder through its ACL alone.
    const ids = readFileSync(
      join(sway.runtimeDir, 'cexbar', 'sessions', 'kiosk', 'id.txt'),
      'utf8',
    );
    assert.equal(ids, `${KIOSK_USER.uid}:${KIOSK_USER.gid}\n`);
  });

  test("an idmapped container reaches its own session folder, and no other's", async () => {
    await service.activate('mapped');
    assert.equal(containerNamed(service.state, 'mapped').state, 'RUNNING');
    assert.equal(sessionOf(service.state, 'mapped').status, 'running');
    // A real Wayland client in the container, as its root (host uid 200000), on its Weston.
    const info = await lxc.lxc(
      ...['lxc-attach', '-n', 'mapped', '--clear-env'],
      ...['--set-var', 'WAYLAND_DISPLAY=/run/cexbar-session/wayland-0'],
      ...['--', '/opt/hostbin/weston-info'],
    );
    assert.match(info, /interface: 'wl_compositor'/);
    const sessions = join(sway.runtimeDir, 'cexbar', 'sessions');
    const aclOf = async (path: string): Promise<string> =>
      (await run('getfacl', ['-p', '-c', path], { encoding: 'utf8' })).stdout;
    assert.match(await aclOf(join(sessions, 'mapped')), /^user:200000:rwx$/m);
    assert.match(await aclOf(join(sessions, 'mapped')), /^default:user:200000:rwx$/m);
    // Above it, search alone: the mapped root can list nothing there.
    for (const above of [sway.runtimeDir, join(sway.runtimeDir, 'cexbar'), sessions]) {
      assert.match(await aclOf(above), /^user:200000:--x$/m, above);
    }
    assert.equal((await aclOf(join(sessions, 'gui'))).includes('200000'), false);
  });

  test("an xwayland session opens Xwayland's window and the container's X clients use it", async () => {
    await service.activate('xapp');
    const session = sessionOf(service.state, 'xapp');
    assert.equal(session.status, 'running');
    const view = windows.state.views.find((candidate) => candidate.id === session.windowId);
    assert.equal(view?.pid, session.pid);
    assert.equal(readFileSync(`/proc/${session.pid}/comm`, 'utf8'), 'Xwayland\n');

    const socketDir = join(sway.runtimeDir, 'cexbar', 'sessions', 'xapp');
    const report = join(socketDir, 'xdpyinfo.txt');
    await waitUntil(() => existsSync(report), 'xdpyinfo in the container to write its report');
    await waitUntil(() => existsSync(join(socketDir, 'done.txt')), 'xdpyinfo to end');
    assert.match(readFileSync(report, 'utf8'), /^screen #0:$/m);
    const display = readFileSync(report, 'utf8').match(/^name of display: +:(\d+)$/m)?.[1];
    assert.ok(display !== undefined, readFileSync(report, 'utf8'));
    assert.ok(statSync(join(socketDir, `X${display}`)).isSocket());

    const variables = readFileSync(join(socketDir, 'env.txt'), 'utf8').split('\n');
    assert.ok(variables.includes(`DISPLAY=:${display}`), variables.join(' '));
    assert.equal(
      variables.some((line) => line.startsWith('WAYLAND_DISPLAY=')),
      false,
    );
    // The container's /tmp/.X11-unix is its folder: no host X server's socket is there.
    assert.deepEqual(
      readFileSync(join(socketDir, 'ls.txt'), 'utf8'),
      `X${display}\nenv.txt\nls.txt\n`,
    );
    // And the host has no socket for that display, in /tmp/.X11-unix or abstract.
    assert.equal(existsSync(`/tmp/.X11-unix/X${display}`), false);
    assert.equal(readFileSync('/proc/net/unix', 'utf8').includes(`X11-unix/X${display}`), false);
  });

  test('an xwayland session ends when its last X client leaves', async () => {
    await lxc.lxc('lxc-attach', '-n', 'xapp', '--', '/bin/killall', 'xev');
    const state = await waitForState(
      service,
      'the xapp session to exit',
      (next) => sessionOf(next, 'xapp').status === 'exited',
    );
    assert.equal(sessionOf(state, 'xapp').exitReason, 'exited with code 0');
  });

  test('a click on a container whose session has a window focuses that window', async () => {
    const session = sessionOf(service.state, 'gui');
    assert.notEqual(windows.state.focusedView?.id, session.windowId);
    await service.activate('gui');
    await waitForState(
      windows,
      "the gui session's window focused",
      (state) => state.focusedView?.id === session.windowId,
    );
    // No second compositor was launched for it.
    assert.equal(sessionOf(service.state, 'gui').pid, session.pid);
  });

  test('a new service (after a config change) shows the sessions left running at once', () => {
    const gui = sessionOf(service.state, 'gui');
    const kiosk = sessionOf(service.state, 'kiosk');
    const successor = new ContainerService(serviceOptions());
    try {
      // Before start(), before any click: found by the folders and the compositors' PIDs.
      assert.deepEqual(sessionOf(successor.state, 'gui'), { ...gui, status: 'running' });
      assert.equal(sessionOf(successor.state, 'kiosk').type, 'cage');
      assert.equal(sessionOf(successor.state, 'kiosk').pid, kiosk.pid);
      assert.equal(sessionOf(successor.state, 'kiosk').windowId, kiosk.windowId);
      // Xwayland ended with its last client: nothing to adopt.
      assert.equal(containerNamed(successor.state, 'xapp').running, null);
    } finally {
      successor.close();
    }
  });

  test('a session that ends shows as exited with its reason', async () => {
    process.kill(sessionOf(service.state, 'gui').pid, 'SIGTERM');
    const state = await waitForState(
      service,
      'the gui session to exit',
      (next) => sessionOf(next, 'gui').status === 'exited',
    );
    const session = sessionOf(state, 'gui');
    assert.equal(session.windowId, null);
    assert.match(session.exitReason ?? '', /^(exited with code \d+|killed by SIGTERM)$/);
    assert.deepEqual(
      log.lines.filter((line) => line.includes('warn')),
      [],
    );
  });
});

async function waitUntil(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
