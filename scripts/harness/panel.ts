import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { sendControlRequest } from '../../src/control/client.js';
import { controlSocketPath, type ControlRequest } from '../../src/control/protocol.js';
import type { PanelSnapshot } from '../../src/panel/snapshot.js';
import type { SwaySession } from './sway-session.js';

/*
 * The real panel, run by the desktop user in a harness Sway session, as `cexbar run` would run
 * it from Sway's config. The harness talks to it through its own control socket.
 */

/**
 * Where the built app is: the checkout itself, or the readable copy scripts/setup.sh made when
 * the checkout is out of the desktop user's reach (dist/app-dir names it).
 */
export function appDir(): string {
  const fromEnv = process.env.CEXBAR_APP_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const marker = join(__dirname, '..', '..', 'app-dir');
  if (!existsSync(marker)) throw new Error(`harness: ${marker} is missing: run scripts/setup.sh`);
  return readFileSync(marker, 'utf8').trim();
}

export interface PanelProcess {
  process: ChildProcess;
  configDir: string;
  /** Rewrites the config file as editors do: a new file renamed over the old one. */
  writeConfig(text: string): void;
  /** Writes the user's style.css beside the config file, the same way. */
  writeStylesheet(text: string): void;
  /** Everything the panel wrote to stderr so far. */
  log(): string;
  request(request: ControlRequest, timeoutMs?: number): Promise<PanelSnapshot>;
  state(): Promise<PanelSnapshot>;
  /** Polls the state until `accept` holds, or throws with the last state seen. */
  waitForState(
    what: string,
    accept: (state: PanelSnapshot) => boolean,
    timeoutMs?: number,
  ): Promise<PanelSnapshot>;
  /** Stops the panel, then the nested sessions it launched. */
  stop(): Promise<void>;
}

export interface StartPanelOptions {
  /** The config file's text; none: the defaults. */
  config?: string;
  /** Extra environment for the panel. */
  env?: Record<string, string>;
  /** Called with each whole line the panel writes to stderr: the demo shows the log with it. */
  onLogLine?: (line: string) => void;
}

/** Waits until our panel answers; another panel answering on the socket is an error. */
async function waitForSocket(
  panel: PanelProcess,
  configFile: string,
  exited: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited()) throw new Error(`harness: the panel exited during start-up:\n${panel.log()}`);
    let answered: string | null;
    try {
      answered = (await panel.state()).configFile;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`harness: the panel did not answer: ${String(error)}\n${panel.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    if (answered === configFile) return;
    throw new Error(`harness: another cexbar answers on this session's control socket`);
  }
}

/** Ends the nested compositors a panel launched (they outlive it on purpose) and their folders. */
function endSessions(state: PanelSnapshot | null): void {
  for (const container of state?.containers.containers ?? []) {
    if (container.running === null) continue;
    try {
      process.kill(container.running.pid, 'SIGTERM');
    } catch {
      // The session already ended.
    }
    rmSync(container.running.socketDir, { recursive: true, force: true });
  }
}

/** Writes `text` to `path` through a temporary file renamed over it, owned by the user. */
function replaceFile(path: string, text: string, owner: { uid: number; gid: number }): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode: 0o644 });
  chownSync(temporary, owner.uid, owner.gid);
  renameSync(temporary, path);
}

/** Starts the panel as the session's user and waits until its control socket answers. */
export async function startPanel(
  session: SwaySession,
  options: StartPanelOptions = {},
): Promise<PanelProcess> {
  const configDir = mkdtempSync(join(tmpdir(), 'cexbar-config-'));
  mkdirSync(join(configDir, 'cexbar'));
  const configFile = join(configDir, 'cexbar', 'config.jsonc');
  writeFileSync(configFile, options.config ?? '// the defaults\n');
  for (const path of [configDir, join(configDir, 'cexbar')]) {
    chownSync(path, session.user.uid, session.user.gid);
  }
  const main = join(appDir(), 'dist', 'src', 'cli', 'main.js');
  const child = session.spawn(
    ['node', main, 'run'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    { XDG_CONFIG_HOME: configDir, CEXBAR_LOG: 'debug', ...options.env },
  );
  let stderr = '';
  let partialLine = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (options.onLogLine === undefined) return;
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) options.onLogLine(line);
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const socket = controlSocketPath(session.runtimeDir);

  const panel: PanelProcess = {
    process: child,
    configDir,
    writeConfig: (text) => replaceFile(configFile, text, session.user),
    writeStylesheet: (text) =>
      replaceFile(join(configDir, 'cexbar', 'style.css'), text, session.user),
    log: () => stderr,
    request: async (request, timeoutMs) =>
      (await sendControlRequest(socket, request, timeoutMs)) as PanelSnapshot,
    state: () => panel.request({ command: 'state' }),
    waitForState: async (what, accept, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = await panel.state();
        if (accept(state)) return state;
        if (Date.now() > deadline) {
          throw new Error(
            `harness: timed out waiting for ${what}; last state:\n` +
              JSON.stringify(state.containers, null, 1),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      const state = exited ? null : await panel.state().catch(() => null);
      if (!exited && child.pid !== undefined) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        }, 5_000);
        await gone;
        clearTimeout(timer);
      }
      endSessions(state);
      rmSync(configDir, { recursive: true, force: true });
    },
  };
  await waitForSocket(panel, configFile, () => exited);
  return panel;
}
