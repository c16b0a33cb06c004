import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appDir } from '../../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/* `cexbar doctor` as the desktop user in a real headless Sway session. */

let session: SwaySession;

before(async () => {
  session = await startSwaySession();
});

after(async () => {
  await session.stop();
});

test('doctor finds the Sway of its session, and the helper that sudo allows', async () => {
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const result = await session.run(['node', main, 'doctor'], { allowFailure: true });
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
});
