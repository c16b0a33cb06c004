import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { countColour, hex, type Image } from '../../scripts/harness/image.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { waitForScreen as waitForScreenOf } from './helpers/screen.js';

/*
 * The config file and the stylesheets edited while the real panel runs in a headless Sway: a
 * valid edit shows on the screen, an invalid one keeps the last good look and says what is wrong.
 */

const BAR_BACKGROUND = hex('#1d2026');
const CONFIG_ERROR = hex('#e5484d');
const USER_BACKGROUND = hex('#6a1b9a');

let session: SwaySession;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

function configWithHeight(height: number): string {
  return `// rewritten by the test\n{ "modules": ["workspaces", "clock"], "height": ${height} }\n`;
}

/** The first row, from the top, where the left edge no longer has the colour. */
function heightOf(image: Image, colour: ReturnType<typeof hex>): number {
  for (let y = 0; y < image.height; y += 1) {
    if (countColour(image, colour, { x: 0, y, width: 2, height: 1 }) === 0) return y;
  }
  return image.height;
}

const waitForScreen = (name: string, accept: (image: Image) => boolean): Promise<Image> =>
  waitForScreenOf(session, name, accept);

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  panel = await startPanel(session, { config: configWithHeight(28) });
  cleanUps.push(() => panel.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('a valid edit of the config applies without a restart', async () => {
  const pid = panel.process.pid;
  panel.writeConfig(configWithHeight(40));
  const state = await panel.waitForState('the new height', (s) => s.bars[0]?.height === 40);
  assert.equal(state.configError, null);
  assert.equal(panel.process.pid, pid);
  const image = await waitForScreen(
    'config-reload-height',
    (i) => heightOf(i, BAR_BACKGROUND) === 40,
  );
  assert.equal(heightOf(image, BAR_BACKGROUND), 40);
  assert.match(panel.log(), /cexbar: config: applied .*config\.jsonc\n/);
});

test('an invalid edit keeps the last good config and shows what is wrong', async () => {
  panel.writeConfig('{ "height": "tall" }\n');
  const state = await panel.waitForState('the config error', (s) => s.configError !== null);
  const file = join(panel.configDir, 'cexbar', 'config.jsonc');
  assert.equal(
    state.configError,
    `config ${file} is not valid:\n✖ Invalid input: expected number, received string\n` +
      '  → at height',
  );
  assert.equal(state.bars[0]?.height, 40);
  const image = await waitForScreen(
    'config-reload-invalid',
    (i) => countColour(i, CONFIG_ERROR, { x: 0, y: 0, width: 200, height: 40 }) > 100,
  );
  assert.ok(countColour(image, CONFIG_ERROR, { x: 0, y: 0, width: 200, height: 40 }) > 100);
  assert.equal(heightOf(image, BAR_BACKGROUND), 40);
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.includes('is not valid'));
  assert.deepEqual(lines, [
    `cexbar: warn: config: config ${file} is not valid: ✖ Invalid input: expected number, ` +
      'received string → at height; the last good config stays',
  ]);
});

test('a fixed file clears the error and applies', async () => {
  panel.writeConfig(configWithHeight(32));
  const state = await panel.waitForState('the fixed config', (s) => s.bars[0]?.height === 32);
  assert.equal(state.configError, null);
  const image = await waitForScreen(
    'config-reload-fixed',
    (i) =>
      heightOf(i, BAR_BACKGROUND) === 32 &&
      countColour(i, CONFIG_ERROR, { x: 0, y: 0, width: 200, height: 32 }) === 0,
  );
  assert.equal(countColour(image, CONFIG_ERROR, { x: 0, y: 0, width: 200, height: 32 }), 0);
  assert.equal(heightOf(image, BAR_BACKGROUND), 32);
});

test("a change of the user's style.css repaints the bar", async () => {
  panel.writeStylesheet('window.cexbar { background-color: #6a1b9a; }\n');
  const image = await waitForScreen(
    'config-reload-style',
    (i) => heightOf(i, USER_BACKGROUND) === 32,
  );
  assert.equal(heightOf(image, USER_BACKGROUND), 32);
  assert.equal(countColour(image, BAR_BACKGROUND, { x: 0, y: 0, width: 1280, height: 32 }), 0);

  panel.writeStylesheet('/* back to the default */\n');
  const restored = await waitForScreen(
    'config-reload-style-back',
    (i) => heightOf(i, BAR_BACKGROUND) === 32,
  );
  assert.equal(heightOf(restored, BAR_BACKGROUND), 32);
});

/** The rightmost column of the bar that is not its background: where its text ends. */
function textEnd(image: Image, height: number): number {
  for (let x = image.width - 1; x >= 0; x -= 1) {
    const column = { x, y: 0, width: 1, height };
    if (countColour(image, BAR_BACKGROUND, column) < height) return x;
  }
  return 0;
}

test('a new clock format shows at once', async () => {
  const write = (format: string) =>
    panel.writeConfig(
      JSON.stringify({ modules: ['workspaces', 'clock'], height: 32, clock: { format } }),
    );
  write('HH:mm');
  await panel.waitForState('the short clock', (s) => s.bars[0]?.height === 32);
  const short = await waitForScreen('config-reload-clock-short', (i) => textEnd(i, 32) < 150);
  write("EEEE d MMMM yyyy 'at' HH:mm");
  const long = await waitForScreen('config-reload-clock-long', (i) => textEnd(i, 32) > 250);
  assert.ok(
    textEnd(long, 32) > textEnd(short, 32) + 100,
    `the clock ends at x=${textEnd(short, 32)}, then at x=${textEnd(long, 32)}`,
  );
});

test('a new lxcPath and container list move the container service there', async () => {
  const config = {
    modules: ['workspaces', 'containers', 'clock'],
    height: 32,
    containers: {
      lxcPath: '/nonexistent/cexbar-lxc',
      showUnlisted: false,
      list: { 'e2e-only': {} },
    },
  };
  panel.writeConfig(JSON.stringify(config));
  const state = await panel.waitForState(
    'the new LXC path',
    (s) => s.containers.lxcPath === '/nonexistent/cexbar-lxc',
  );
  assert.deepEqual(
    state.containers.containers.map((container) => container.name),
    ['e2e-only'],
  );
  assert.equal(state.configError, null);
  assert.equal(state.bars[0]?.height, 32);
});
