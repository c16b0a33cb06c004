import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { countColour, hex, type Image } from '../../scripts/harness/image.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { waitForScreen as waitForScreenOf } from './helpers/screen.js';

/*
 * The user's style.css broken while the real panel runs: the bar keeps the last good look, says
 * on the bar and in one log line what GTK refused, and a fixed file clears that.
 */

const USER_BACKGROUND = hex('#6a1b9a');
const ERROR_RED = hex('#e5484d');
const BAR = { x: 0, y: 0, width: 1280, height: 28 };
const BAR_START = { x: 0, y: 0, width: 200, height: 28 };

let session: SwaySession;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

const waitForScreen = (name: string, accept: (image: Image) => boolean): Promise<Image> =>
  waitForScreenOf(session, name, accept);

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
  panel = await startPanel(session, { config: '{ "modules": ["workspaces", "clock"] }\n' });
  cleanUps.push(() => panel.stop());
  panel.writeStylesheet('window.cexbar { background-color: #6a1b9a; }\n');
  await waitForScreen('stylesheet-good', (i) => countColour(i, USER_BACKGROUND, BAR) > 20_000);
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('an invalid style.css keeps the last good look and shows the error on the bar', async () => {
  panel.writeStylesheet('window.cexbar { background-color: #00ff00 }\nwindow {{ color: red; }\n');
  const state = await panel.waitForState('the error', (s) => s.stylesheetError !== null);
  const file = join(panel.configDir, 'cexbar', 'style.css');
  assert.match(state.stylesheetError ?? '', new RegExp(`^${file} is not valid GTK CSS: .+:2:`));
  assert.equal(state.configError, null);
  const image = await waitForScreen(
    'stylesheet-invalid',
    (i) => countColour(i, ERROR_RED, BAR_START) > 100,
  );
  assert.ok(countColour(image, ERROR_RED, BAR_START) > 100, 'the error label is on the bar');
  assert.ok(countColour(image, USER_BACKGROUND, BAR) > 20_000, 'the last good look stays');
  assert.equal(countColour(image, hex('#00ff00'), BAR), 0, 'nothing of the broken file applies');
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.includes('is not valid GTK CSS'));
  assert.deepEqual(lines, [
    `cexbar: warn: style: ${state.stylesheetError}; its last good version stays`,
  ]);
});

test('a fixed style.css clears the error and applies', async () => {
  panel.writeStylesheet('window.cexbar { background-color: #0b6e4f; }\n');
  const state = await panel.waitForState('no error', (s) => s.stylesheetError === null);
  assert.equal(state.stylesheetError, null);
  const image = await waitForScreen(
    'stylesheet-fixed',
    (i) => countColour(i, hex('#0b6e4f'), BAR) > 20_000 && countColour(i, ERROR_RED, BAR) === 0,
  );
  assert.equal(countColour(image, ERROR_RED, BAR_START), 0);
  assert.ok(countColour(image, hex('#0b6e4f'), BAR) > 20_000);
  assert.match(panel.log(), /cexbar: style: the stylesheets are valid again\n/);
});
