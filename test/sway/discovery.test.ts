import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import {
  findLiveSway,
  isSwayProcess,
  liveSwaySockets,
  pidOfSwaySocket,
  waylandSocketOf,
} from '../../src/sway/discovery.js';

/*
 * Finding the live Sway in a real runtime folder: a real headless Sway, a socket that answers
 * under a Sway-like name but whose PID is no Sway, and the sockets a killed Sway leaves.
 */

describe('pidOfSwaySocket', () => {
  it("reads the PID of Sway's own socket names only", () => {
    assert.equal(pidOfSwaySocket('/run/user/1000/sway-ipc.1000.4242.sock'), 4242);
    assert.equal(pidOfSwaySocket('/run/user/1000/my-sway.sock'), null);
  });
});

describe('findLiveSway in a real session', () => {
  let session: SwaySession;
  let impostor: Server;
  let impostorPath: string;

  before(async () => {
    session = await startSwaySession();
    // PID 1 is init: a socket that answers under this name is still no Sway's.
    impostorPath = join(session.runtimeDir, `sway-ipc.${session.user.uid}.1.sock`);
    impostor = createServer();
    await new Promise<void>((resolve) => impostor.listen(impostorPath, resolve));
  });

  after(async () => {
    impostor.close();
    await session.stop();
  });

  const environment = (swaySocket?: string, waylandDisplay?: string) => ({
    runtimeDir: session.runtimeDir,
    uid: session.user.uid,
    swaySocket,
    waylandDisplay,
  });

  it('takes SWAYSOCK while it answers, with the Wayland socket that Sway listens on', async () => {
    assert.deepEqual(await findLiveSway(environment(session.env.SWAYSOCK)), {
      socket: session.env.SWAYSOCK,
      waylandDisplay: session.env.WAYLAND_DISPLAY,
      pid: session.swayPid(),
    });
  });

  it('keeps a WAYLAND_DISPLAY that was given, when its socket exists', async () => {
    const display = join(session.runtimeDir, session.env.WAYLAND_DISPLAY);
    const found = await findLiveSway(environment(session.env.SWAYSOCK, display));
    assert.equal(found?.waylandDisplay, display);
  });

  it('skips a socket whose PID is no Sway, even one that answers', () => {
    assert.equal(isSwayProcess(1), false);
    assert.deepEqual(liveSwaySockets(session.runtimeDir, session.user.uid), [session.env.SWAYSOCK]);
  });

  it('finds the new Sway after a kill, past the sockets the old one left', async () => {
    const old = { socket: session.env.SWAYSOCK, pid: session.swayPid() };
    await session.restart('SIGKILL');
    assert.ok(existsSync(old.socket), 'a killed Sway leaves its IPC socket');
    assert.equal(waylandSocketOf(session.runtimeDir, old.pid), null);
    assert.deepEqual(await findLiveSway(environment(old.socket, 'wayland-1')), {
      socket: session.env.SWAYSOCK,
      waylandDisplay: session.env.WAYLAND_DISPLAY,
      pid: session.swayPid(),
    });
  });

  it('gives null when no Sway runs', async () => {
    const empty = { runtimeDir: '/nonexistent', uid: session.user.uid };
    assert.equal(await findLiveSway(empty), null);
  });
});
