import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, defaultConfigPath, loadConfig, parseConfigText } from '../config/load.js';
import { sendControlRequest } from '../control/client.js';
import { controlSocketPath, MODULES_WITH_ITEMS, type ControlRequest } from '../control/protocol.js';
import { describeError, log } from '../util/log.js';

/*
 * The `cexbar` command. Only `cexbar run` (the default) loads GTK: `msg` and `check` answer
 * in a few milliseconds without node-gtk's start-up cost.
 */

const HELP: Record<string, string> = {
  main: `Usage: cexbar [COMMAND] [OPTIONS]

A Sway panel for LXCex: workspaces, the focused window, LXC containers and their sessions.

Commands:
  run              Run the panel (the default). Needs SWAYSOCK, WAYLAND_DISPLAY, XDG_RUNTIME_DIR.
  msg REQUEST      Talk to the running panel: 'cexbar msg --help' lists the requests.
  check FILE       Validate a config file without starting the panel.

Options:
  -c, --config FILE   The config file (default: $XDG_CONFIG_HOME/cexbar/config.jsonc).
  -h, --help          Show this help (also after a command: 'cexbar run --help').
  -V, --version       Print cexbar's version.

Environment: CEXBAR_LOG=error|warn|info|debug sets how much goes to stderr (default info).
`,
  run: `Usage: cexbar run [-c FILE]

Runs the panel in the Sway session of SWAYSOCK: a bar on every output, and the control socket
$XDG_RUNTIME_DIR/cexbar/control.sock that 'cexbar msg' talks to. An invalid config is refused
with its problems listed; without a config file the defaults apply.
`,
  msg: `Usage: cexbar msg state
       cexbar msg activate MODULE ITEM

  state                      Print the panel's state as JSON.
  activate workspaces NAME   Switch to workspace NAME, as a click on it does.
  activate containers NAME   Start container NAME and launch its session, or focus the
                             session's window, as a click on it does. Prints the new state.

The panel is found at $XDG_RUNTIME_DIR/cexbar/control.sock.
`,
  check: `Usage: cexbar check FILE

Validates FILE as a cexbar config and prints what is wrong and where; exits 1 when it is not
valid, 0 when it is.
`,
};

class UsageError extends Error {}

function runtimeDirOf(env: NodeJS.ProcessEnv): string {
  const dir = env.XDG_RUNTIME_DIR;
  if (dir === undefined || dir === '') throw new UsageError('XDG_RUNTIME_DIR is not set');
  return dir;
}

function parseRequest(words: string[]): ControlRequest {
  const [command, module, item, ...rest] = words;
  if (command === 'state' && module === undefined) return { command: 'state' };
  if (command === 'activate' && item !== undefined && rest.length === 0) {
    const known = (MODULES_WITH_ITEMS as readonly string[]).includes(module ?? '');
    if (!known) {
      throw new UsageError(
        `unknown module ${JSON.stringify(module)}: activate takes ${MODULES_WITH_ITEMS.join(' or ')}`,
      );
    }
    return { command: 'activate', module: module as (typeof MODULES_WITH_ITEMS)[number], item };
  }
  throw new UsageError(
    `unknown request ${JSON.stringify(words.join(' '))}; see 'cexbar msg --help'`,
  );
}

async function runMsg(words: string[]): Promise<number> {
  const request = parseRequest(words);
  const result = await sendControlRequest(controlSocketPath(runtimeDirOf(process.env)), request);
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return 0;
}

function runCheck(file: string | undefined): number {
  if (file === undefined) throw new UsageError('check needs a FILE');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`✖ cannot read the file: ${describeError(error)}`]);
  }
  parseConfigText(text, file);
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

async function runPanelCommand(configPath: string): Promise<number> {
  const { config, file } = await loadConfig(configPath);
  const runtimeDir = runtimeDirOf(process.env);
  const swaySocket = process.env.SWAYSOCK;
  if (swaySocket === undefined || swaySocket === '') {
    throw new UsageError('SWAYSOCK is not set: run cexbar from inside a Sway session');
  }
  const panelModule = await import('../panel/panel.js');
  if (!panelModule.openDisplay()) {
    throw new Error(`cannot open the Wayland display ${process.env.WAYLAND_DISPLAY ?? '(unset)'}`);
  }
  const panel = await panelModule.Panel.start({
    config,
    configFile: file,
    swaySocket,
    runtimeDir,
    waylandDisplay: panelModule.waylandSocketPath(
      runtimeDir,
      process.env.WAYLAND_DISPLAY ?? 'wayland-0',
    ),
  });
  const stop = (signal: string): void => {
    log.info('panel', `stopping (${signal})`);
    panel.stop();
    panelModule.quitMainLoop();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  panelModule.runMainLoop();
  return -1;
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  const [command = 'run', ...rest] = positionals;
  if (values.version === true) {
    process.stdout.write(`cexbar ${version()}\n`);
    return 0;
  }
  if (values.help === true) {
    process.stdout.write(HELP[command] ?? HELP.main ?? '');
    return 0;
  }
  switch (command) {
    case 'run':
      return runPanelCommand(values.config ?? defaultConfigPath());
    case 'msg':
      return runMsg(rest);
    case 'check':
      return runCheck(rest[0]);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; see 'cexbar --help'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: the panel runs on in GTK's main loop.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    // Every message here is written for the user as it stands: one line (or a config's list).
    process.stderr.write(`cexbar: ${describeError(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
