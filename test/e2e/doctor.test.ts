import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDbusSession, type DbusSession } from '../../scripts/harness/dbus-session.js';
import { appDir } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/* `cexbar doctor` as the desktop user in a real headless Sway session with its session bus. */

let session: SwaySession;
let bus: DbusSession;

before(async () => {
  session = await startSwaySession();
  bus = await startDbusSession(session);
});

after(async () => {
  await bus.stop();
  await session.stop();
});

test('doctor finds the Sway of its session, and the helper that sudo allows', async () => {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const result = await session.run(
    ['env', `DBUS_SESSION_BUS_ADDRESS=${bus.address}`, 'node', main, 'doctor'],
    { allowFailure: true },
  );
  const lines = result.stdout.split('\n');
  const version = JSON.parse(await session.swaymsg('-t', 'get_version', '-r')) as {
    human_readable: string;
  };
  assert.ok(
    lines.includes(`✔ Sway: Sway ${version.human_readable} answers at ${session.env.SWAYSOCK}`),
    result.stdout,
  );
  assert.ok(
    lines.includes('✔ LXC helper: /usr/local/libexec/cexbar/cexbar-lxc-helper, allowed by sudo'),
    result.stdout,
  );
  // PipeWire, which no cexbar module uses, is at worst a warning (setup does not install it).
  assert.ok(
    lines.includes(
      '⚠ PipeWire: neither pw-dump nor wpctl is on PATH: apt-get install pipewire-bin',
    ) || lines.some((line) => line.startsWith('✔ PipeWire: ')),
    result.stdout,
  );
  assert.equal(result.exitCode, 0, result.stdout);
});
