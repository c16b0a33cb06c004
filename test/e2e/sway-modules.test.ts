import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import { countColour, hex, readPpm, type Image } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { appDir, startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { VirtualPointer } from '../../scripts/harness/virtual-pointer.js';
import { retry } from '../../scripts/harness/pointer.js';

/*
 * The binding mode, the scratchpad and persistent workspaces on real parts: a headless Sway
 * whose config has a real `mode` block, entered with `swaymsg mode`, and a real Wayland client
 * (weston-terminal) moved to the scratchpad.
 */

const OUTPUT = join(process.cwd(), 'test-output');
// Colours of ui/style.css.
const MODE_BACKGROUND = hex('#b5651d');
const SCRATCHPAD_BACKGROUND = hex('#5b4a8a');
const FOCUSED_WORKSPACE = hex('#3d6fb6');
const BAR = { x: 0, y: 0, width: 1280, height: 28 };

let session: SwaySession;
let lxc: LxcSandbox;
let panel: PanelProcess;
let terminal: ChildProcess | undefined;
const cleanUps: (() => Promise<void>)[] = [];

before(async () => {
  session = await startSwaySession({
    extraConfig: ['mode "resize ⇔" {', '  bindsym Escape mode default', '}'],
  });
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());
  const config = {
    modules: ['workspaces', 'mode', 'window', 'scratchpad', 'clock'],
    workspaces: { persistent: ['mail', '3', '1'] },
    containers: { lxcPath: lxc.path },
  };
  panel = await startPanel(session, { config: JSON.stringify(config) });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  terminal?.kill('SIGKILL');
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

async function screenshot(name: string): Promise<Image> {
  // Renders are coalesced per turn of the loop; a short wait lets the last reach the screen.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(OUTPUT, `${name}.png`));
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  return readPpm(ppm);
}

test('the binding mode shows while it is not the default one', async () => {
  await session.swaymsg('mode', '"resize ⇔"');
  await panel.waitForState('the mode', (state) => state.sway.mode === 'resize ⇔');
  const image = await screenshot('sway-mode');
  assert.ok(countColour(image, MODE_BACKGROUND, BAR) > 100, 'no mode label on the bar');

  await session.swaymsg('mode', 'default');
  await panel.waitForState('the default mode', (state) => state.sway.mode === 'default');
  const after = await screenshot('sway-mode-default');
  assert.equal(countColour(after, MODE_BACKGROUND, BAR), 0, 'the mode label stayed');
});

test('the scratchpad shows how many windows it holds, and nothing when it is empty', async () => {
  terminal = session.spawn(['weston-terminal'], { stdio: 'ignore', cwd: '/' });
  const pid = terminal.pid ?? 0;
  const onWorkspace = (state: PanelSnapshot): boolean =>
    state.sway.views.some((view) => view.pid === pid && view.workspace !== null);
  await panel.waitForState('the terminal window', onWorkspace);
  assert.equal((await panel.state()).sway.scratchpadCount, 0);
  const empty = await screenshot('scratchpad-empty');
  assert.equal(countColour(empty, SCRATCHPAD_BACKGROUND, BAR), 0);

  await session.swaymsg(`[pid=${pid}]`, 'move', 'scratchpad');
  const state = await panel.waitForState('the window in the scratchpad', (s) => {
    return s.sway.scratchpadCount === 1;
  });
  assert.deepEqual(
    state.sway.views.filter((view) => view.pid === pid).map((view) => view.workspace),
    [null],
  );
  const image = await screenshot('scratchpad');
  assert.ok(countColour(image, SCRATCHPAD_BACKGROUND, BAR) > 100, 'no scratchpad count');

  await session.swaymsg(`[pid=${pid}]`, 'scratchpad', 'show');
  await panel.waitForState('the scratchpad empty again', (s) => s.sway.scratchpadCount === 0);
});

test('a persistent workspace that Sway does not have is a button, and a click creates it', async () => {
  const before = JSON.parse(await session.swaymsg('-t', 'get_workspaces', '-r')) as {
    name: string;
  }[];
  assert.ok(!before.some((workspace) => workspace.name === 'mail'));
  // The buttons read "1 3 mail": workspace 1 focused first, the two placeholders after it.
  const image = await screenshot('persistent-workspaces');
  const focusedColumns = columnsWith(image, FOCUSED_WORKSPACE);
  assert.ok(focusedColumns.length > 10, 'no focused workspace');
  await panel.request({ command: 'activate', module: 'workspaces', item: 'mail' });
  await panel.waitForState('mail focused', (state) =>
    state.sway.workspaces.some((workspace) => workspace.name === 'mail' && workspace.focused),
  );
  // The focused button moved right: "mail" sits after "1" and "3".
  const moved = columnsWith(await screenshot('persistent-workspace-created'), FOCUSED_WORKSPACE);
  assert.ok(Math.min(...moved) > Math.max(...focusedColumns), 'the focused button did not move');
});

test('a scroll over the workspaces switches to the previous or next one; a click to its own', async () => {
  const display = join(session.runtimeDir, session.env.WAYLAND_DISPLAY);
  const pointer = await VirtualPointer.open(display, 1280, 720);
  const focusedIs = (name: string) => (state: PanelSnapshot) =>
    state.sway.workspaces.some((workspace) => workspace.name === name && workspace.focused);
  try {
    // Over the workspace buttons; "mail" is focused, "1" and "3" are placeholders before it.
    // The panel makes its wl_pointer when Sway tells it the seat gained one, which may come
    // after the first enter: until a scroll has landed, each try enters the bar afresh.
    await retry(
      'the first scroll to reach the bar',
      async () => {
        pointer.moveTo(640, 400);
        pointer.moveTo(30, 14);
        pointer.scroll(-1);
        await panel.waitForState('3 focused', focusedIs('3'), 1_000);
      },
      () => panel.log(),
    );
    pointer.scroll(-1);
    await panel.waitForState('1 focused', focusedIs('1'));
    pointer.scroll(1);
    await panel.waitForState('3 focused again', focusedIs('3'));
    // A real click on the "mail" button (x 75 to 120 in the screenshots).
    pointer.moveTo(97, 14);
    pointer.click();
    await panel.waitForState('mail focused by a click', focusedIs('mail'));
  } finally {
    await pointer.close();
  }
});

test('cexbar msg activate workspaces, run as a key binding runs it, switches and prints nothing', async () => {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const result = await session.run(['node', main, 'msg', 'activate', 'workspaces', '3']);
  // Nothing on stdout: a state printed with the reply would be older than Sway's event.
  assert.deepEqual([result.exitCode, result.stdout, result.stderr], [0, '', '']);
  const workspaces = JSON.parse(await session.swaymsg('-t', 'get_workspaces', '-r')) as {
    name: string;
    focused: boolean;
  }[];
  assert.equal(workspaces.find((workspace) => workspace.focused)?.name, '3');
});

/** The x positions in the bar's strip where `colour` appears. */
function columnsWith(image: Image, colour: ReturnType<typeof hex>): number[] {
  const columns: number[] = [];
  for (let x = 0; x < BAR.width; x += 1) {
    if (countColour(image, colour, { x, y: 0, width: 1, height: BAR.height }) > 0) columns.push(x);
  }
  return columns;
}
