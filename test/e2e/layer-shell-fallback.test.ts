import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { countColour, hex, readPpm } from '../../scripts/harness/image.js';
import { createLxcSandbox, type LxcSandbox } from '../../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * A compositor without layer shell: a real Weston nested in the harness Sway (Weston has no
 * wlr-layer-shell). The panel shows an ordinary window there and says so once in its log.
 */

const BAR_BACKGROUND = hex('#1d2026');
const FALLBACK_LINE = 'cexbar: warn: bar: layer shell is not available, showing an ordinary window';

let session: SwaySession;
let lxc: LxcSandbox;
let weston: ChildProcess;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  lxc = createLxcSandbox();
  cleanUps.push(() => lxc.destroy());

  const westonDir = join(session.runtimeDir, 'weston-without-layer-shell');
  mkdirSync(westonDir, { mode: 0o700 });
  chownSync(westonDir, session.user.uid, session.user.gid);
  weston = session.spawn(
    [
      'weston',
      '--backend=wayland-backend.so',
      '--socket=wayland-9',
      '--width=1000',
      '--height=400',
      '--no-config',
    ],
    { stdio: 'ignore' },
    {
      XDG_RUNTIME_DIR: westonDir,
      WAYLAND_DISPLAY: join(session.runtimeDir, session.env.WAYLAND_DISPLAY),
    },
  );
  cleanUps.push(() => {
    weston.kill('SIGTERM');
    return Promise.resolve();
  });
  await waitForFile(join(westonDir, 'wayland-9'));

  const config = { modules: ['workspaces', 'clock'], containers: { lxcPath: lxc.path } };
  panel = await startPanel(session, {
    config: JSON.stringify(config),
    env: { WAYLAND_DISPLAY: join(westonDir, 'wayland-9') },
  });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('without layer shell the bar is an ordinary window, and the log says so once', async () => {
  const state = await panel.state();
  assert.equal(state.bars.length, 1);
  assert.equal(state.bars[0]?.layerShell, false);
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.startsWith(FALLBACK_LINE));
  assert.equal(lines.length, 1, panel.log());
});

test('the ordinary window shows the bar inside the nested Weston', async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await session.screenshot(join(process.cwd(), 'test-output', 'layer-shell-fallback.png'));
  const ppm = join(process.cwd(), 'test-output', 'layer-shell-fallback.ppm');
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  assert.ok(countColour(image, BAR_BACKGROUND, whole) > 1000, 'no bar inside Weston');
});
