import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { OwnedWindow } from '../../src/containers/window-owners.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { createLxcSandbox, NO_NETWORK, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startPointer, type Pointer } from '../../scripts/harness/pointer.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { buttonCentres, screenshot } from './helpers/container-buttons.js';

/*
 * The layout where a container starts its own compositor: real Westons run inside a real
 * busybox container by lxc-attach (so the kernel puts them in its cgroup), nested in the host
 * Sway through its socket bind-mounted into the container, as LXCex's GUI containers do. A
 * real click on the container must focus its window, never launch a host session beside it;
 * the menu's Launch session still may, and a new container service finds that session at once.
 */

const NAME = 'self-gui';
const HOST_RUN = 'mnt/host-run';

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
let pointer: Pointer;
const cleanUps: (() => Promise<void>)[] = [];

function windowsOf(state: PanelSnapshot, owner: string | null): OwnedWindow[] {
  return state.windows.groups.find((group) => group.owner === owner)?.windows ?? [];
}

function containerOf(state: PanelSnapshot): PanelSnapshot['containers']['containers'][number] {
  const container = state.containers.containers.find((each) => each.name === NAME);
  assert.ok(container, `no ${NAME} in the state`);
  return container;
}

/** A Weston inside the container, nested in the host Sway, with a socket of its own. */
function startWestonInside(socket: string): void {
  const child = spawn(
    'lxc-attach',
    [
      ...['-P', lxc.path, '-n', NAME, '--clear-env'],
      ...['--set-var', `WAYLAND_DISPLAY=/${HOST_RUN}/${session.env.WAYLAND_DISPLAY}`],
      ...['--set-var', 'XDG_RUNTIME_DIR=/tmp'],
      ...['--', '/opt/hostbin/weston', '--backend=wayland-backend.so', `--socket=${socket}`],
      ...['--width=320', '--height=240', '--no-config'],
    ],
    { stdio: 'ignore' },
  );
  cleanUps.push(() => {
    child.kill('SIGKILL');
    return Promise.resolve();
  });
}

async function focus(id: number): Promise<void> {
  await session.swaymsg(`[con_id=${id}] focus`);
  await panel.waitForState(`the focus on ${id}`, (state) => state.sway.focusedView?.id === id);
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  await lxc.create(NAME, [
    ...NO_NETWORK,
    // The host's programs and their data, read-only (the template binds the libraries).
    'lxc.mount.entry = /usr/bin opt/hostbin none ro,bind,create=dir 0 0',
    'lxc.mount.entry = /usr/share usr/share none ro,bind,create=dir 0 0',
    // The host Sway's runtime folder, as LXCex binds /run/user into its GUI containers.
    `lxc.mount.entry = ${session.runtimeDir} ${HOST_RUN} none bind,create=dir 0 0`,
  ]);
  await lxc.start(NAME);
  const config = {
    modules: ['containers'],
    containers: {
      lxcPath: lxc.path,
      // A host session is configured: the click must still not launch it.
      list: { [NAME]: { session: { type: 'weston', width: 400, height: 300 } } },
    },
  };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
  await panel.waitForState('the first listing', (state) => state.containers.listed);
  pointer = await startPointer(session);
  cleanUps.push(() => pointer.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('the Westons a container runs itself are owned by its cgroup', async () => {
  startWestonInside('inner-1');
  startWestonInside('inner-2');
  const state = await panel.waitForState(
    `two windows under ${NAME}`,
    (each) => windowsOf(each, NAME).length === 2,
    30_000,
  );
  for (const window of windowsOf(state, NAME)) assert.equal(window.ownedBy, 'cgroup');
});

test('a click on the container focuses its window focused last, and launches nothing', async () => {
  const [first, second] = windowsOf(await panel.state(), NAME);
  assert.ok(first !== undefined && second !== undefined);
  const host = session.spawn(
    ['weston', '--backend=wayland-backend.so', '--socket=cexbar-own-host', '--no-config'],
    { stdio: 'ignore' },
  );
  cleanUps.push(() => {
    host.kill('SIGKILL');
    return Promise.resolve();
  });
  const hostWindow = await panel.waitForState('a host window', (state) =>
    windowsOf(state, null).some((window) => window.pid === host.pid),
  );
  const hostId = windowsOf(hostWindow, null)[0]?.id ?? -1;
  const [button] = await buttonCentres(session, 1);
  assert.ok(button !== undefined);

  for (const target of [first, second, first]) {
    await focus(target.id);
    await focus(hostId);
    await pointer.click(button.x, button.y, 'left');
    const state = await panel.waitForState(
      `the focus back on ${target.id}`,
      (each) => each.sway.focusedView?.id === target.id,
    );
    assert.equal(containerOf(state).running, null, 'a host session was launched');
    assert.equal(containerOf(state).error, null);
    assert.equal(windowsOf(state, NAME).length, 2);
  }
  await screenshot(session, 'container-own-compositor');
});

test('Launch session in the menu still opens the host session beside them', async () => {
  await panel.request(
    { command: 'action', module: 'containers', item: NAME, action: 'launch' },
    30_000,
  );
  const state = await panel.waitForState(
    'the host Weston under the container too',
    (each) => containerOf(each).running?.status === 'running',
  );
  const owned = windowsOf(state, NAME);
  assert.deepEqual(owned.map((window) => window.ownedBy).sort(), ['cgroup', 'cgroup', 'session']);
});

test('after a config change the new container service shows that session at once', async () => {
  const before = containerOf(await panel.state()).running;
  assert.ok(before !== null && before.status === 'running');
  await lxc.create('self-extra');
  const config = {
    modules: ['containers'],
    containers: {
      lxcPath: lxc.path,
      list: {
        [NAME]: { session: { type: 'weston', width: 400, height: 300 } },
        'self-extra': {},
      },
    },
  };
  panel.writeConfig(JSON.stringify(config));
  // The first state of the new service (it lists self-extra) already holds the session.
  const state = await panel.waitForState('the new container service', (each) =>
    each.containers.containers.some((container) => container.name === 'self-extra'),
  );
  assert.deepEqual(containerOf(state).running, before);
  const session = windowsOf(state, NAME).find((window) => window.ownedBy === 'session');
  assert.equal(session?.id, before.windowId);
});
