import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSwaySession, type SwaySession } from '../../scripts/harness/sway-session.js';

/*
 * Records the Sway replies and events in test/fixtures/sway/ from the real headless Sway of the
 * harness, with a layout that has a bit of everything: a split, a floating window, one in the
 * scratchpad, a named workspace and a second output. Run it as root after a build:
 *   node dist/test/sway/record-fixtures.js
 * Its name does not end in .test.js, so `node --test` never runs it.
 *
 * There is no shutdown event here: Sway 1.7 queues it on `exit` and SIGTERM but closes the
 * sockets before writing it (checked on its own connection three times, never received).
 */

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sway');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function save(name: string, raw: string): void {
  const pretty = JSON.stringify(JSON.parse(raw) as unknown, null, 2);
  writeFileSync(join(FIXTURES, name), pretty + '\n');
  console.log(`wrote test/fixtures/sway/${name}`);
}

async function openTerminal(session: SwaySession): Promise<number> {
  const terminal = session.spawn(['weston-terminal'], { stdio: 'ignore', cwd: '/' });
  const pid = terminal.pid;
  if (pid === undefined) throw new Error('record: weston-terminal did not start');
  for (let tries = 0; tries < 100; tries += 1) {
    const tree = await session.swaymsg('-t', 'get_tree', '-r');
    if (tree.includes(`"pid": ${pid},`) && tree.includes('"name": "cexbar@')) return pid;
    await sleep(50);
  }
  throw new Error(`record: the window of weston-terminal ${pid} never appeared`);
}

/** Starts `swaymsg -t subscribe`, runs `trigger`, and returns the first event it printed. */
async function recordEvent(session: SwaySession, events: string, trigger: () => Promise<unknown>) {
  const first = session.run(['swaymsg', '-r', '-t', 'subscribe', events]);
  // swaymsg has no "subscribed" signal; this is only a recorder, a pause is enough.
  await sleep(300);
  const [{ stdout }] = await Promise.all([first, trigger()]);
  return stdout;
}

async function buildLayout(session: SwaySession): Promise<void> {
  await session.swaymsg('workspace', '1');
  await openTerminal(session);
  await openTerminal(session);
  // A split of a lone child only changes the workspace's layout: the second one gets the split.
  await session.swaymsg('splitv');
  await openTerminal(session);
  await openTerminal(session);
  await session.swaymsg('floating', 'enable');
  await openTerminal(session);
  await session.swaymsg('move', 'scratchpad');
  await session.swaymsg('workspace "3: mail"');
  await openTerminal(session);
  await session.swaymsg('workspace', '1');
}

async function record(): Promise<void> {
  mkdirSync(FIXTURES, { recursive: true });
  const session = await startSwaySession({ outputs: 2 });
  try {
    await buildLayout(session);
    save('get-tree.json', await session.swaymsg('-t', 'get_tree', '-r'));
    save('get-workspaces.json', await session.swaymsg('-t', 'get_workspaces', '-r'));
    save('get-outputs.json', await session.swaymsg('-t', 'get_outputs', '-r'));
    save('get-version.json', await session.swaymsg('-t', 'get_version', '-r'));
    const failed = await session.run(['swaymsg', '-r', 'nonsense'], { allowFailure: true });
    save('run-command-failed.json', failed.stdout);
    save(
      'window-event-new.json',
      await recordEvent(session, '["window"]', () => openTerminal(session)),
    );
    save(
      'workspace-event-reload.json',
      await recordEvent(session, '["workspace"]', () => session.swaymsg('reload')),
    );
    save(
      'workspace-event-focus.json',
      await recordEvent(session, '["workspace"]', () => session.swaymsg('workspace "3: mail"')),
    );
  } finally {
    await session.stop();
  }
}

void record().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
