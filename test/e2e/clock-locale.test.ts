import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { format } from 'date-fns';
import { de } from 'date-fns/locale/de';
import { enUS } from 'date-fns/locale/en-US';
import { startPanel, type PanelProcess } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * The real bar's clock in the locale of the panel's environment, as a desktop session sets it.
 */

const OUTPUT = join(process.cwd(), 'test-output');
const CONFIG = '{ "modules": ["workspaces", "clock"], "clock": { "format": "EEEE d MMMM" } }\n';

let session: SwaySession;
const cleanUps: (() => Promise<void>)[] = [];

/** Today's text in a locale, and a minute ago's in case the test runs across midnight. */
function todayIn(locale: typeof de): string[] {
  const now = new Date();
  return [
    format(now, 'EEEE d MMMM', { locale }),
    format(now.getTime() - 60_000, 'EEEE d MMMM', { locale }),
  ];
}

async function startWithEnv(env: Record<string, string>): Promise<PanelProcess> {
  const panel = await startPanel(session, { config: CONFIG, env });
  cleanUps.push(() => panel.stop());
  return panel;
}

before(async () => {
  session = await startSwaySession();
  cleanUps.push(() => session.stop());
});

after(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
});

test('LANG=de_DE.UTF-8 gives the clock German day and month names', async () => {
  const panel = await startWithEnv({ LANG: 'de_DE.UTF-8' });
  const state = await panel.state();
  const clock = state.bars[0]?.texts.clock ?? '';
  assert.ok(todayIn(de).includes(clock), `the clock shows ${JSON.stringify(clock)}`);
  assert.match(clock, /^(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag) /);
  await session.screenshot(join(OUTPUT, 'clock-locale-de.png'));
  await panel.stop();
});

test('clock.locale wins over the environment', async () => {
  const panel = await startWithEnv({ LANG: 'fr_FR.UTF-8' });
  panel.writeConfig(CONFIG.replace('"EEEE d MMMM"', '"EEEE d MMMM", "locale": "de"'));
  const state = await panel.waitForState('the German clock', (s) =>
    todayIn(de).includes(s.bars[0]?.texts.clock ?? ''),
  );
  assert.ok(todayIn(de).includes(state.bars[0]?.texts.clock ?? ''));
  await panel.stop();
});

test('a locale date-fns does not have falls back to en-US with one log line', async () => {
  const panel = await startWithEnv({ LANG: 'tlh_KLINGON.UTF-8' });
  const state = await panel.state();
  assert.ok(todayIn(enUS).includes(state.bars[0]?.texts.clock ?? ''));
  const lines = panel
    .log()
    .split('\n')
    .filter((line) => line.startsWith('cexbar:') && line.includes('tlh_KLINGON'));
  assert.deepEqual(lines, [
    'cexbar: warn: clock: LANG=tlh_KLINGON.UTF-8 names no locale date-fns has, using en-US',
  ]);
});
