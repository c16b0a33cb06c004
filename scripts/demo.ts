import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControlRequest } from '../src/control/client.js';
import { controlSocketPath } from '../src/control/protocol.js';
import { startDbusSession, type DbusSession } from './harness/dbus-session.js';
import { createLxcSandbox } from './harness/lxc.js';
import { appDir, startPanel } from './harness/panel.js';
import { DESKTOP_USER } from './harness/run-as-user.js';
import { attachSwaySession, startSwaySession, type SwaySession } from './harness/sway-session.js';

/*
 * `npm run demo`: the panel's main job on real parts. It uses the Sway session of SWAYSOCK when
 * one answers there, else starts a headless one; creates two busybox containers under an LXC
 * path of its own; starts the panel; clicks the stopped container through the panel's control
 * socket (which starts it and launches its nested Weston); writes a screenshot and the state.
 * The tray and the notifications need a session bus: the user's own in the user's Sway, else
 * one the demo starts. `npm run demo -- --keep` leaves everything running until Ctrl-C, and
 * shows the panel's log.
 */

const ROOT = join(__dirname, '..', '..');
const OUTPUT = join(ROOT, 'demo-output');

function say(message: string): void {
  process.stderr.write(`demo: ${message}\n`);
}

/** The user's own Sway when SWAYSOCK names a live one. */
function liveSwaySocket(): string | null {
  const socket = process.env.SWAYSOCK;
  if (socket === undefined || !existsSync(socket)) return null;
  try {
    execFileSync('swaymsg', ['-s', socket, '-t', 'get_version'], { stdio: 'ignore' });
    return socket;
  } catch {
    return null;
  }
}

/** setup.sh allowed the LXC helper for the demo user; another session's owner needs it too. */
function allowLxcFor(user: string): void {
  const path = `/etc/sudoers.d/cexbar-${user}`;
  if (existsSync(path)) return;
  const template = readFileSync(join(ROOT, 'runit', 'sudoers.in'), 'utf8');
  const temporary = `${path}.new`;
  writeFileSync(temporary, template.replace(/^@USER@/m, user), { mode: 0o440 });
  chmodSync(temporary, 0o440);
  execFileSync('visudo', ['-cqf', temporary]);
  renameSync(temporary, path);
  say(`allowed ${user} cexbar's LXC helper in ${path}`);
}

/** A panel already running in the user's session holds the control socket: one bar is enough. */
async function refuseSecondPanel(session: SwaySession): Promise<void> {
  const socket = controlSocketPath(session.runtimeDir);
  const answers = await sendControlRequest(socket, { command: 'state' }, 2_000).then(
    () => true,
    () => false,
  );
  if (answers) {
    throw new Error(
      `a cexbar already runs in the Sway session at ${session.env.SWAYSOCK} (${socket} ` +
        'answers): stop it first, or unset SWAYSOCK to run the demo on a headless Sway of its own',
    );
  }
}

async function openSession(live: string | null): Promise<SwaySession> {
  if (live !== null) {
    const session = attachSwaySession(live);
    say(`using the running Sway at ${live} (user ${session.user.name})`);
    await refuseSecondPanel(session);
    if (session.user.name !== DESKTOP_USER) allowLxcFor(session.user.name);
    return session;
  }
  say('no Sway answers at SWAYSOCK: starting a headless one');
  // A pango: font, so that Sway draws the container marks in the titles in their colours.
  return startSwaySession({ extraConfig: ['font pango:DejaVu Sans 10'] });
}

/** A session bus's socket path from a `unix:path=` address, or null for another kind. */
function busSocketOf(address: string): string | null {
  return /^unix:(?:.*,)?path=([^,;]+)/.exec(address)?.[1] ?? null;
}

/**
 * The session bus for the panel: in the user's own Sway, the user's bus (DBUS_SESSION_BUS_ADDRESS
 * or $XDG_RUNTIME_DIR/bus) when it is there; otherwise a bus of the demo's own, which it stops.
 */
async function openBus(
  session: SwaySession,
  attached: boolean,
): Promise<{ address: string; own: DbusSession | null }> {
  if (attached) {
    const fromEnv = process.env.DBUS_SESSION_BUS_ADDRESS;
    const socket = fromEnv === undefined ? null : busSocketOf(fromEnv);
    if (fromEnv !== undefined && socket !== null && existsSync(socket)) {
      say(`using the session bus ${fromEnv}`);
      return { address: fromEnv, own: null };
    }
    const usual = join(session.runtimeDir, 'bus');
    if (existsSync(usual)) {
      say(`using the session bus at ${usual}`);
      return { address: `unix:path=${usual}`, own: null };
    }
  }
  const own = await startDbusSession(session);
  say(`started a session bus for the panel at ${own.address}`);
  return { address: own.address, own };
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  mkdirSync(OUTPUT, { recursive: true });
  const live = liveSwaySocket();
  const session = await openSession(live);
  const lxc = createLxcSandbox('cexbar-demo-lxc-');
  let panel: Awaited<ReturnType<typeof startPanel>> | undefined;
  let bus: DbusSession | null = null;
  const cleanUp = async (): Promise<void> => {
    await panel?.stop();
    await bus?.stop();
    await session.stop();
    await lxc.destroy();
  };
  try {
    const { address: busAddress, own } = await openBus(session, live !== null);
    bus = own;
    say(`creating the demo containers under ${lxc.path}`);
    await lxc.create('demo-work');
    await lxc.create('demo-bank');
    await lxc.start('demo-bank');
    const config = {
      containers: {
        lxcPath: lxc.path,
        list: {
          'demo-work': { colour: 'blue', session: { type: 'weston', width: 800, height: 480 } },
          'demo-bank': { colour: 'green', session: { type: 'none' } },
        },
      },
    };
    panel = await startPanel(session, {
      config: JSON.stringify(config, null, 2),
      // With --keep the user reads the log as it comes, at the level a user's panel logs at.
      env: {
        DBUS_SESSION_BUS_ADDRESS: busAddress,
        ...(keep ? { CEXBAR_LOG: process.env.CEXBAR_LOG ?? 'info' } : {}),
      },
      ...(keep ? { onLogLine: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
    await panel.waitForState('the containers', (state) => state.containers.listed);
    say('clicking demo-work through `cexbar msg activate containers demo-work`');
    const clicked = await panel.request(
      { command: 'activate', module: 'containers', item: 'demo-work' },
      30_000,
    );
    const pid = clicked.containers.containers.find((c) => c.name === 'demo-work')?.running?.pid;
    const state = await panel.waitForState('the session window', (s) =>
      s.sway.views.some((view) => view.pid === pid),
    );
    // The window has mapped; give its first frames a moment to be drawn before the screenshot.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const screenshot = join(OUTPUT, 'panel.png');
    const statePath = join(OUTPUT, 'state.json');
    await session.screenshot(screenshot);
    writeFileSync(statePath, JSON.stringify(await panel.state(), null, 2) + '\n');
    say(`containers: ${state.containers.containers.map((c) => `${c.name} ${c.state}`).join(', ')}`);
    process.stdout.write(`screenshot: ${screenshot}\nstate: ${statePath}\n`);
    if (keep) {
      const env = Object.entries({ ...session.env, DBUS_SESSION_BUS_ADDRESS: busAddress }).map(
        ([key, value]) => `${key}=${value}`,
      );
      const asUser =
        `setpriv --reuid=${session.user.name} --regid=${session.user.gid} --init-groups ` +
        `env ${env.join(' ')}`;
      say('running until Ctrl-C (--keep); to talk to the panel, as root:');
      say(`  ${asUser} ${join(appDir(), 'bin', 'cexbar')} msg state`);
      say('to send it a desktop notification, as root:');
      say(`  ${asUser} notify-send 'Hello' 'from the cexbar demo'`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
