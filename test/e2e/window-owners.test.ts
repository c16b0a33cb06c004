import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { OwnedWindow, WindowGroup } from '../../src/containers/window-owners.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { countColour, hex, readPpm, type Image } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * Which container owns a window, on real parts: a headless Sway whose font is pango (so that
 * title_format is markup), a real busybox container with a nested Weston launched by the panel,
 * a plain Weston the test runs on the host, and a terminal the test puts into the container's
 * cgroup before it starts, as a program of the container's would be.
 */

const OUTPUT = join(process.cwd(), 'test-output');
// The container's configured colour (ui/style.css .label-orange), and the host's neutral tag.
const ORANGE = hex('#e8833a');
const HOST_TAG = hex('#3a3f4a');
// The "+N" button's background (ui/style.css .window-overflow), and its menu's (the bar's).
const OVERFLOW = hex('#4b5263');
const MENU_BACKGROUND = hex('#1d2026');
// A title a container could set: it must reach the screen as text, never as markup.
const HOSTILE_TITLE = '<b>x</b> & y';

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

interface TreeNode {
  id: number;
  pid?: number;
  name: string | null;
  rect: { x: number; y: number; width: number; height: number };
  deco_rect: { x: number; y: number; width: number; height: number };
  nodes: TreeNode[];
  floating_nodes: TreeNode[];
}

/** What the windows module shows: `#ID` per window button, then `+N` when some are left out. */
function windowsShown(state: PanelSnapshot): { ids: number[]; hiddenCount: number } {
  const words = (state.bars[0]?.texts.windows ?? '').split(' ').filter((word) => word !== '');
  const ids = words.filter((word) => word.startsWith('#')).map((word) => Number(word.slice(1)));
  const count = words.find((word) => word.startsWith('+'));
  return { ids, hiddenCount: count === undefined ? 0 : Number(count.slice(1)) };
}

function windowCount(state: PanelSnapshot): number {
  return state.windows.groups.reduce((sum, group) => sum + group.windows.length, 0);
}

function groupOf(state: PanelSnapshot, owner: string | null): WindowGroup | undefined {
  return state.windows.groups.find((group) => group.owner === owner);
}

function windowWithPid(state: PanelSnapshot, pid: number | undefined): OwnedWindow | undefined {
  return state.windows.groups.flatMap((group) => group.windows).find((w) => w.pid === pid);
}

/** Spawns a program as the desktop user in the session; ended by the test's clean-up. */
function spawnClient(argv: string[]): ChildProcess {
  const child = session.spawn(argv, { stdio: 'ignore', detached: true });
  cleanUps.push(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    return Promise.resolve();
  });
  return child;
}

async function treeNodeOf(id: number): Promise<TreeNode> {
  const tree = JSON.parse(await session.swaymsg('-t', 'get_tree', '-r')) as TreeNode;
  const visit = (node: TreeNode): TreeNode | undefined =>
    node.id === id
      ? node
      : [...node.nodes, ...node.floating_nodes].map(visit).find((found) => found !== undefined);
  const found = visit(tree);
  assert.ok(found, `no node ${id} in Sway's tree`);
  return found;
}

/** A tiled view's title bar: Sway's rect starts below it, and deco_rect has its height. */
function titleBarOf(node: TreeNode): { x: number; y: number; width: number; height: number } {
  const height = node.deco_rect.height;
  return { x: node.rect.x, y: node.rect.y - height, width: node.rect.width, height };
}

before(async () => {
  session = await startSwaySession({ extraConfig: ['font pango:monospace 10'] });
  cleanUps.push(() => session.stop());
  // The headless seat has no keyboard: one virtual keyboard stays on it from the start, so that
  // the panel has its wl_keyboard before the menu test's key presses come (from a second wtype).
  const keyboard = session.spawn(['wtype', '-s', '600000'], { stdio: 'ignore' });
  cleanUps.push(() => {
    keyboard.kill('SIGTERM');
    return Promise.resolve();
  });
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  await lxc.create('own-a');
  const config = {
    containers: {
      lxcPath: lxc.path,
      list: { 'own-a': { colour: 'orange', session: { type: 'weston', width: 400, height: 300 } } },
    },
  };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('a nested Weston launched for a container is grouped under that container', async () => {
  const launched = await panel.request(
    { command: 'activate', module: 'containers', item: 'own-a' },
    30_000,
  );
  const pid = launched.containers.containers.find((c) => c.name === 'own-a')?.running?.pid;
  const state = await panel.waitForState(
    'the session window under own-a',
    (s) => groupOf(s, 'own-a')?.windows.some((w) => w.pid === pid) === true,
  );
  const group = groupOf(state, 'own-a');
  assert.equal(group?.colour, 'orange');
  assert.equal(windowWithPid(state, pid)?.ownedBy, 'session');
  assert.equal(groupOf(state, null), undefined, 'a host group with no host window');
});

test('a Weston the user runs on the host is grouped under the host', async () => {
  const weston = spawnClient([
    'weston',
    '--backend=wayland-backend.so',
    '--socket=cexbar-test-host-weston',
    '--width=320',
    '--height=240',
    '--no-config',
  ]);
  const state = await panel.waitForState(
    'the host Weston under the host',
    (s) => groupOf(s, null)?.windows.some((w) => w.pid === weston.pid) === true,
  );
  assert.equal(windowWithPid(state, weston.pid)?.ownedBy, 'host');
  assert.equal(groupOf(state, null)?.colour, null);
});

test('activating a window by its con_id focuses it, as a click on its button does', async () => {
  const state = await panel.state();
  const target = groupOf(state, 'own-a')?.windows[0];
  assert.ok(target, 'no window under own-a');
  await panel.request({ command: 'activate', module: 'windows', item: String(target.id) });
  const focused = await panel.waitForState(
    'the focus on the session window',
    (s) => s.sway.focusedView?.id === target.id,
  );
  assert.equal(focused.sway.focusedView?.pid, target.pid);
  await assert.rejects(
    panel.request({ command: 'activate', module: 'windows', item: 'first' }),
    /no window "first": a window is its Sway con_id, a number/,
  );
});

test("a program in the container's cgroup is owned by the container, its title kept literal", async () => {
  // The wrapper waits until the test has moved it into the container's cgroup, then becomes
  // the terminal: the window's PID is then a process of the container's, as the kernel says.
  const ready = join(session.runtimeDir, 'cgroup-moved');
  const shell = join(session.runtimeDir, 'title-shell');
  writeFileSync(shell, `#!/bin/sh\nprintf '\\033]2;%s\\007' '${HOSTILE_TITLE}'\nexec sleep 600\n`);
  chmodSync(shell, 0o755);
  const terminal = spawnClient([
    'sh',
    '-c',
    `while [ ! -e ${ready} ]; do sleep 0.05; done; exec weston-terminal --shell=${shell}`,
  ]);
  writeFileSync(`/sys/fs/cgroup/pids/lxc.payload.own-a/cgroup.procs`, `${terminal.pid}\n`);
  writeFileSync(ready, '');

  const state = await panel.waitForState('the terminal with its title under own-a', (s) => {
    const window = windowWithPid(s, terminal.pid);
    return window?.owner === 'own-a' && window.title === HOSTILE_TITLE;
  });
  assert.equal(windowWithPid(state, terminal.pid)?.ownedBy, 'cgroup');
  // get_tree's name is the client's own title; title_format changes only what is drawn.
  const node = await treeNodeOf(windowWithPid(state, terminal.pid)?.id ?? -1);
  assert.equal(node.name, HOSTILE_TITLE);
});

test('the screenshot shows the container tag and the host tag, and the marks in Sway', async () => {
  await new Promise((resolve) => setTimeout(resolve, 700));
  await session.screenshot(join(OUTPUT, 'window-owners.png'));
  const ppm = join(OUTPUT, 'window-owners.ppm');
  await session.screenshot(ppm);
  const image: Image = readPpm(ppm);
  const bar = { x: 0, y: 0, width: image.width, height: 28 };
  assert.ok(countColour(image, ORANGE, bar) > 100, "no tag in own-a's colour on the bar");
  assert.ok(countColour(image, HOST_TAG, bar) > 100, 'no host tag on the bar');

  const state = await panel.state();
  const marked = groupOf(state, 'own-a')?.windows ?? [];
  assert.equal(marked.length, 2);
  for (const window of marked) {
    // The mark's orange shows only when Sway parsed the format as markup: an unescaped "&"
    // in the title would make the whole format fail and be drawn as plain text.
    const titleBar = titleBarOf(await treeNodeOf(window.id));
    assert.ok(
      countColour(image, ORANGE, titleBar) > 50,
      `no orange mark in the title bar of ${JSON.stringify(window.title)}`,
    );
  }
  for (const window of groupOf(state, null)?.windows ?? []) {
    const titleBar = titleBarOf(await treeNodeOf(window.id));
    assert.equal(countColour(image, ORANGE, titleBar), 0, 'a host window is marked');
  }
});

test('many windows keep the bar within its output, their titles cut short', async () => {
  const terminals = Array.from({ length: 44 }, () => spawnClient(['weston-terminal']));
  const pids = new Set(terminals.map((terminal) => terminal.pid));
  const state = await panel.waitForState('forty-four more host windows', (s) => {
    const host = groupOf(s, null)?.windows ?? [];
    return (
      host.filter((window) => window.pid !== null && pids.has(window.pid)).length ===
      terminals.length
    );
  });
  // GTK lays the bar out again a moment after the state changed.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { bars } = await panel.state();
  assert.deepEqual(
    bars.map((bar) => [bar.width, bar.height]),
    [[1280, 28]],
  );
  assert.equal(groupOf(state, null)?.windows.length, terminals.length + 1);
  await session.screenshot(join(OUTPUT, 'window-owners-many.png'));
});

test('the windows that do not fit are counted by a "+N" button, the focused one shown', async () => {
  const state = await panel.waitForState('a "+N" on the bar', (s) => {
    const { ids, hiddenCount } = windowsShown(s);
    return hiddenCount > 0 && ids.length + hiddenCount === windowCount(s);
  });
  const { ids, hiddenCount } = windowsShown(state);
  assert.ok(ids.length >= 3, `only ${ids.length} window buttons shown`);
  const focused = state.sway.focusedView?.id;
  assert.ok(focused !== undefined && ids.includes(focused), 'the focused window is hidden');

  const ppm = join(OUTPUT, 'window-owners-overflow.ppm');
  await session.screenshot(ppm);
  await session.screenshot(join(OUTPUT, 'window-owners-overflow.png'));
  const image = readPpm(ppm);
  assert.ok(
    countColour(image, OVERFLOW, { x: 0, y: 0, width: image.width, height: 28 }) > 100,
    `no "+${hiddenCount}" button on the bar`,
  );

  // A window that was left out, focused from outside the bar, takes a place in the row.
  const every = state.windows.groups.flatMap((group) => group.windows.map((w) => w.id));
  const hidden = every.filter((id) => !ids.includes(id));
  assert.equal(hidden.length, hiddenCount);
  const target = hidden[Math.floor(hidden.length / 2)];
  assert.ok(target !== undefined);
  await session.swaymsg(`[con_id=${target}] focus`);
  const after = await panel.waitForState(
    `window ${target} on the bar`,
    (s) => s.sway.focusedView?.id === target && windowsShown(s).ids.includes(target),
  );
  const shownAfter = windowsShown(after);
  assert.equal(shownAfter.ids.length + shownAfter.hiddenCount, windowCount(after));
  assert.ok(shownAfter.hiddenCount > 0);
  await session.screenshot(join(OUTPUT, 'window-owners-overflow-focused.png'));
});

test('the "+N" menu lists the windows left out, and Return focuses the first of them', async () => {
  const state = await panel.state();
  const { ids } = windowsShown(state);
  const hidden = state.windows.groups
    .flatMap((group) => group.windows.map((w) => w.id))
    .filter((id) => !ids.includes(id));
  const first = hidden[0];
  assert.ok(first !== undefined, 'no window left out');
  await panel.request({ command: 'menu', module: 'windows', item: 'hidden' });
  // The menu maps and draws a moment after the reply.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const ppm = join(OUTPUT, 'window-owners-hidden-menu.ppm');
  await session.screenshot(ppm);
  await session.screenshot(join(OUTPUT, 'window-owners-hidden-menu.png'));
  const image = readPpm(ppm);
  const belowBar = { x: 0, y: 28, width: image.width, height: image.height - 28 };
  // A row per hidden window in the bar's colours, under the bar where terminals were.
  assert.ok(
    countColour(image, MENU_BACKGROUND, belowBar) > hidden.length * 1000,
    'no menu of the hidden windows below the bar',
  );
  // Down to the first entry, then Return; the release of space is there only so that Return is
  // not the last key of wtype's keymap, which GTK misses (tray.test.ts).
  await session.run(['wtype', '-k', 'Down', '-k', 'Return', '-p', 'space']);
  const after = await panel.waitForState(
    `window ${first} focused from the menu, on the bar`,
    (s) => s.sway.focusedView?.id === first && windowsShown(s).ids.includes(first),
  );
  assert.ok(windowsShown(after).hiddenCount > 0);
});
