import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDbusSession, type DbusSession } from '../../scripts/harness/dbus-session.js';
import { countColour, hex, type Image } from '../../scripts/harness/image.js';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { runAsUser } from '../../scripts/harness/run-as-user.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';
import { waitForScreen as waitForScreenOf } from './helpers/screen.js';

/*
 * Where notification popups appear with two outputs: on the focused one, in the configured
 * corner. The screenshot holds both outputs side by side: HEADLESS-1 (1280x720) at x=0 and
 * HEADLESS-2 (create_output's 1920x1080) at x=1280.
 */

const CARD = hex('#2b3140');

let session: SwaySession;
let bus: DbusSession;
let panel: PanelProcess;
const cleanUps: (() => Promise<void>)[] = [];

const OUTPUTS = {
  'HEADLESS-1': { x: 0, width: 1280, height: 720 },
  'HEADLESS-2': { x: 1280, width: 1920, height: 1080 },
};

/** Where a 360-pixel popup sits in a corner of an output (the bar takes the top 28 pixels). */
function corner(name: keyof typeof OUTPUTS, position: 'top-right' | 'bottom-left') {
  const output = OUTPUTS[name];
  return position === 'top-right'
    ? { x: output.x + output.width - 380, y: 28, width: 380, height: 200 }
    : { x: output.x, y: output.height - 200, width: 380, height: 200 };
}

async function notifySend(...args: string[]): Promise<number> {
  const { stdout } = await runAsUser(session.user, ['notify-send', '-p', ...args], {
    ...session.userEnv(),
    ...bus.env,
  });
  return Number(stdout.trim());
}

const waitForScreen = (name: string, accept: (image: Image) => boolean): Promise<Image> =>
  waitForScreenOf(session, name, accept);

before(async () => {
  session = await startSwaySession({ outputs: 2 });
  cleanUps.push(() => session.stop());
  bus = await startDbusSession(session);
  cleanUps.push(() => bus.stop());
  panel = await startPanel(session, { config: '{ "modules": ["workspaces"] }\n', env: bus.env });
  cleanUps.push(() => panel.stop());
  await panel.waitForState(
    'two bars, serving',
    (s) => s.bars.length === 2 && s.notifications.server === 'cexbar',
  );
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('a popup appears in the top-right corner of the focused output', async () => {
  await session.swaymsg('focus output HEADLESS-2');
  await panel.waitForState('HEADLESS-2 focused', (s) =>
    s.sway.workspaces.some((w) => w.focused && w.output === 'HEADLESS-2'),
  );
  const id = await notifySend('-t', '0', 'On the second output');
  const image = await waitForScreen(
    'notification-second-output',
    (i) => countColour(i, CARD, corner('HEADLESS-2', 'top-right')) > 5_000,
  );
  assert.equal(image.width, 3200);
  assert.ok(countColour(image, CARD, corner('HEADLESS-2', 'top-right')) > 5_000, 'on HEADLESS-2');
  assert.equal(countColour(image, CARD, corner('HEADLESS-1', 'top-right')), 0, 'not on HEADLESS-1');
  await panel.request({ command: 'notification', id, action: 'close' });
});

test('a new notifications.position moves the popups there, on the focused output', async () => {
  await session.swaymsg('focus output HEADLESS-1');
  await panel.waitForState('HEADLESS-1 focused', (s) =>
    s.sway.workspaces.some((w) => w.focused && w.output === 'HEADLESS-1'),
  );
  const id = await notifySend('-t', '0', 'Moves with the config');
  panel.writeConfig(
    '{ "modules": ["workspaces"], "notifications": { "position": "bottom-left" } }',
  );
  const image = await waitForScreen(
    'notification-bottom-left',
    (i) => countColour(i, CARD, corner('HEADLESS-1', 'bottom-left')) > 5_000,
  );
  assert.ok(
    countColour(image, CARD, corner('HEADLESS-1', 'bottom-left')) > 5_000,
    'bottom-left of HEADLESS-1',
  );
  assert.equal(countColour(image, CARD, corner('HEADLESS-2', 'bottom-left')), 0);
  assert.equal(countColour(image, CARD, corner('HEADLESS-1', 'top-right')), 0);
  assert.equal(countColour(image, CARD, corner('HEADLESS-2', 'top-right')), 0);
  await panel.request({ command: 'notification', id, action: 'close' });
});
