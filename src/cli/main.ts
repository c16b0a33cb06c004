import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigPath, loadConfig, parseConfigText, readConfigText } from '../config/load.js';
import { sendControlRequest } from '../control/client.js';
import { CONTAINER_ACTIONS, type ContainerAction } from '../containers/container-state.js';
import { controlSocketPath, MODULES_WITH_ITEMS, type ControlRequest } from '../control/protocol.js';
import { socketAnswers } from '../util/socket.js';
import { describeError, log } from '../util/log.js';
import { EXIT_PANEL_REFUSED, EXIT_USAGE } from './exit-status.js';

/*
 * The `cexbar` command. Only `cexbar run` (the default) loads GTK: `msg` and `check` answer
 * in a few milliseconds without node-gtk's start-up cost.
 */

/** The words as "a, b, c", in lines of at most `width` columns indented by `indent` spaces. */
function wrapList(words: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const [index, word] of words.entries()) {
    const piece = index < words.length - 1 ? `${word},` : word;
    if (line !== '' && indent + line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else {
      line = line === '' ? piece : `${line} ${piece}`;
    }
  }
  lines.push(line);
  return lines.map((each) => ' '.repeat(indent) + each).join('\n');
}

const HELP = {
  main: `Usage: cexbar [COMMAND] [OPTIONS]

A Sway panel for LXCex: workspaces, the focused window, LXC containers and their sessions.

Commands:
  run              Run the panel (the default), through Sway's restarts. Needs XDG_RUNTIME_DIR.
  panel            One panel process on SWAYSOCK's Sway, as 'run' starts it (no restarts).
  msg REQUEST      Talk to the running panel: 'cexbar msg --help' lists the requests.
  check FILE       Validate a config file without starting the panel.
  schema           Print the config's JSON Schema.
  doctor           Check what cexbar needs on this machine, and say how to fix what is missing.

Options:
  -c, --config FILE   The config file (default: $XDG_CONFIG_HOME/cexbar/config.jsonc).
  -h, --help          Show this help (also after a command: 'cexbar run --help').
  -V, --version       Print cexbar's version.

Environment: CEXBAR_LOG=error|warn|info|debug sets how much goes to stderr (default info).
`,
  run: `Usage: cexbar run [-c FILE]

Runs the panel in the Sway session of SWAYSOCK: a bar on every output, and the control socket
$XDG_RUNTIME_DIR/cexbar/control.sock that 'cexbar msg' talks to. An invalid config is refused
with its problems listed; without a config file the defaults apply. While it runs it follows
the config file and the stylesheets: a saved change applies at once, and an invalid one keeps
the last good config and shows its problem on the bar.

The Sway is the one of SWAYSOCK while it answers, otherwise the newest running Sway of this
user in XDG_RUNTIME_DIR (its sway-ipc.UID.PID.sock). The bars run in a child process,
'cexbar panel'; when Sway ends, that process ends with its display, and 'cexbar run' waits for a
new Sway and starts the panel there. SIGTERM or SIGINT stops both.
`,
  panel: `Usage: cexbar panel [-c FILE]

One panel process on the Sway of SWAYSOCK and the display of WAYLAND_DISPLAY, without the
supervision of 'cexbar run' (which starts it): it ends when its display does.
`,
  msg: `Usage: cexbar msg state
       cexbar msg activate MODULE ITEM
       cexbar msg action containers NAME ACTION
       cexbar msg menu containers NAME
       cexbar msg menu tray ITEM
       cexbar msg menu windows hidden
       cexbar msg notification close ID
       cexbar msg notification invoke ID KEY

  state                      Print the panel's state as JSON.
  activate workspaces NAME   Switch to workspace NAME, as a click on it does.
  activate containers NAME   Start container NAME and launch its session, or focus the
                             session's window, as a click on it does.
  activate windows CON_ID    Focus the window of that Sway con_id, as a click on its button
                             does ('cexbar msg state' lists them under "windows").
  activate tray ITEM         Activate a tray item, as a left click does. ITEM is its Id
                             ('cexbar msg state' lists them under "tray").
  menu containers NAME       Pop up the container's menu on the bar, as a right click does.
  menu tray ITEM             Pop up the tray item's menu on the bar, as a right click does;
                             the arrow keys and Return choose in it.
  menu windows hidden        Pop up the menu of the windows that do not fit on the bar, as
                             a click on its "+N" button does.
  action containers NAME ACTION
                             Run one action of the container's menu and wait until it has
                             finished. ACTION is one of:
${wrapList(CONTAINER_ACTIONS, 29, 96)}.
                             Prints the panel's state as JSON once it has finished; details
                             prints lxc-info's details instead.
  notification close ID      Close a desktop notification cexbar shows, as its ✕ does.
  notification invoke ID KEY Invoke one of its actions, as a click on the action's button
                             does ('cexbar msg state' lists them under "notifications").

Only 'state' and 'action' print anything: the other requests print nothing when they succeed,
so that key bindings stay quiet ('cexbar msg state' shows what they did). A request the panel
refuses prints its reason on stderr and exits 1; a mistake in the request's words exits 2. The
panel is found at $XDG_RUNTIME_DIR/cexbar/control.sock.
`,
  schema: `Usage: cexbar schema

Prints the config file's JSON Schema (draft 2020-12), generated from the schema cexbar validates
with: every key with its description and default. Editors that read JSON Schema complete and
check the file with it, for example: cexbar schema > ~/.config/cexbar/config.schema.json
`,
  doctor: `Usage: cexbar doctor

Checks, one line each, what cexbar needs: the Sway socket (SWAYSOCK), the GTK 3 and
gtk-layer-shell typelibs, LXC and cexbar's LXC helper with its sudoers line, the session bus
and a notification service (✔ found, ✖ missing); and parts the panel runs without, which no
cexbar module uses yet: wl-clipboard and PipeWire (⚠ when missing). Each problem says how to
fix it. Exits 1 when a ✖ check fails, 0 otherwise (warnings included). Run it in the Sway
session, as the desktop user.
`,
  check: `Usage: cexbar check FILE

Validates FILE as a cexbar config and prints what is wrong and where; exits 1 when it is not
valid, 0 when it is.
`,
} satisfies Record<string, string>;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const MSG_HELP_HINT = "see 'cexbar msg --help'";
/** Every request msg takes, for the message that asks for one. */
const REQUEST_LIST =
  "'state', 'activate MODULE ITEM', 'action containers NAME ACTION', 'menu containers NAME', " +
  "'menu tray ITEM', 'menu windows hidden', 'notification close ID' or 'notification invoke ID KEY'";
/** The requests whose reply (the panel's state) msg prints; the others succeed quietly. */
const PRINTED_REQUESTS: readonly ControlRequest['command'][] = ['state', 'action'];
const ACTION_TIMEOUT_MS = 3_700_000;

type ModuleWithItems = (typeof MODULES_WITH_ITEMS)[number];

/** What ITEM names, for each module `cexbar msg activate` takes. */
const ITEM_KINDS: Record<ModuleWithItems, string> = {
  workspaces: 'a workspace name',
  containers: 'a container name',
  windows: "a window's Sway con_id",
  tray: "a tray item's Id (or its NAME/PATH in 'cexbar msg state')",
};

/** "a, b or c": the modules activate takes, as a sentence. */
const MODULE_LIST = `${MODULES_WITH_ITEMS.slice(0, -1).join(', ')} or ${MODULES_WITH_ITEMS.at(-1) ?? ''}`;

/** Wrong use of the command: exit status 2, and a message that says how to use it. */
class UsageError extends Error {}

function runtimeDirOf(env: NodeJS.ProcessEnv): string {
  const dir = env.XDG_RUNTIME_DIR;
  if (dir === undefined || dir === '') throw new UsageError('XDG_RUNTIME_DIR is not set');
  return dir;
}

function isModuleWithItems(name: string): name is ModuleWithItems {
  return (MODULES_WITH_ITEMS as readonly string[]).includes(name);
}

/** `activate MODULE ITEM`, checked here so that a mistake is told before anything is sent. */
function parseActivate(words: string[]): ControlRequest {
  const [module, item, ...extra] = words;
  if (module === undefined) {
    throw new UsageError(
      `msg activate needs a MODULE (${MODULE_LIST}) and an ITEM; ${MSG_HELP_HINT}`,
    );
  }
  if (!isModuleWithItems(module)) {
    throw new UsageError(`unknown module ${JSON.stringify(module)}: activate takes ${MODULE_LIST}`);
  }
  const kind = ITEM_KINDS[module];
  if (item === undefined) {
    throw new UsageError(`msg activate ${module} needs an ITEM (${kind}); ${MSG_HELP_HINT}`);
  }
  if (item === '') {
    throw new UsageError(`msg activate ${module}: the ITEM is empty (expected ${kind})`);
  }
  if (extra.length > 0) {
    throw new UsageError(
      `msg activate ${module} takes one ITEM, not ${extra.length + 1}: quote a name that holds spaces`,
    );
  }
  return { command: 'activate', module, item };
}

const ACTION_LIST = CONTAINER_ACTIONS.join(', ');

function isContainerAction(word: string): word is ContainerAction {
  return (CONTAINER_ACTIONS as readonly string[]).includes(word);
}

/** `menu containers NAME`, `menu tray ITEM` and `menu windows hidden`. */
function parseMenuRequest(words: string[]): ControlRequest {
  const [module, item, ...rest] = words;
  const usage =
    module === 'tray'
      ? 'menu tray ITEM'
      : module === 'windows'
        ? 'menu windows hidden'
        : 'menu containers NAME';
  const known = module === 'containers' || module === 'tray' || module === 'windows';
  if (!known || item === undefined || item === '') {
    throw new UsageError(
      `msg menu takes 'menu containers NAME', 'menu tray ITEM' or 'menu windows hidden'; ` +
        MSG_HELP_HINT,
    );
  }
  if (rest.length > 0) throw new UsageError(`msg menu takes '${usage}', nothing more`);
  return { command: 'menu', module, item };
}

/** `action containers NAME ACTION`: containers are its one module. */
function parseContainerRequest(command: 'action', words: string[]): ControlRequest {
  const [module, item, ...rest] = words;
  const usage = 'action containers NAME ACTION';
  if (module !== 'containers' || item === undefined || item === '') {
    throw new UsageError(`msg ${command} takes '${usage}'; ${MSG_HELP_HINT}`);
  }
  const [action, ...extra] = rest;
  if (action === undefined || !isContainerAction(action) || extra.length > 0) {
    const got = action === undefined ? 'none' : JSON.stringify(rest.join(' '));
    throw new UsageError(
      `msg action containers ${item} needs one ACTION of ${ACTION_LIST} (got ${got})`,
    );
  }
  return { command, module, item, action };
}

/** `notification close ID` and `notification invoke ID KEY`. */
function parseNotificationRequest(words: string[]): ControlRequest {
  const [action, idWord = '', ...rest] = words;
  const usage = "'notification close ID' or 'notification invoke ID KEY'";
  const id = /^[1-9]\d{0,9}$/.test(idWord) ? Number(idWord) : NaN;
  if ((action !== 'close' && action !== 'invoke') || Number.isNaN(id) || id > 0xffffffff) {
    throw new UsageError(`msg notification takes ${usage}, ID a notification's number`);
  }
  if (action === 'close') {
    if (rest.length > 0) throw new UsageError(`msg notification close takes one ID, nothing more`);
    return { command: 'notification', id, action };
  }
  const [key, ...extra] = rest;
  if (key === undefined || key === '' || extra.length > 0) {
    throw new UsageError(`msg notification invoke ${id} needs one KEY of its actions`);
  }
  return { command: 'notification', id, action, key };
}

function parseRequest(words: string[]): ControlRequest {
  const [command, ...rest] = words;
  switch (command) {
    case undefined:
      throw new UsageError(`msg needs a request: ${REQUEST_LIST}; ${MSG_HELP_HINT}`);
    case 'state':
      if (rest.length > 0) {
        throw new UsageError(
          `msg state takes nothing more (got ${JSON.stringify(rest.join(' '))})`,
        );
      }
      return { command: 'state' };
    case 'activate':
      return parseActivate(rest);
    case 'action':
      return parseContainerRequest(command, rest);
    case 'menu':
      return parseMenuRequest(rest);
    case 'notification':
      return parseNotificationRequest(rest);
    default:
      throw new UsageError(`unknown request ${JSON.stringify(command)}; ${MSG_HELP_HINT}`);
  }
}

async function runMsg(words: string[]): Promise<number> {
  const request = parseRequest(words);
  // A stop may wait as long as containers.stopTimeoutSeconds allows (at most an hour).
  const timeoutMs = request.command === 'action' ? ACTION_TIMEOUT_MS : undefined;
  const result = await sendControlRequest(
    controlSocketPath(runtimeDirOf(process.env)),
    request,
    timeoutMs,
  );
  // A key binding runs activate and menu: printing the state there would only be noise.
  if (PRINTED_REQUESTS.includes(request.command)) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  }
  return 0;
}

async function runSchema(words: string[]): Promise<number> {
  if (words.length > 0) throw new UsageError('schema takes no arguments');
  const { configJsonSchema } = await import('../config/json-schema.js');
  process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
  return 0;
}

async function runDoctor(words: string[], configPath: string): Promise<number> {
  if (words.length > 0) throw new UsageError('doctor takes no arguments');
  const { formatCheck, isAcceptable, runChecks } = await import('./doctor.js');
  // The panel serves notifications itself unless the config says off; a broken config is
  // `cexbar check`'s business, and the panel would refuse it anyway.
  const notificationsMode = await loadConfig(configPath).then(
    ({ config }) => config.notifications.mode,
    () => 'auto' as const,
  );
  const results = await runChecks(process.env, { notificationsMode });
  for (const result of results) process.stdout.write(formatCheck(result) + '\n');
  return results.every(isAcceptable) ? 0 : 1;
}

async function runCheck(file: string | undefined): Promise<number> {
  if (file === undefined) throw new UsageError('check needs a FILE');
  parseConfigText(await readConfigText(file), file);
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

/** `cexbar panel`: one panel process on the Sway of SWAYSOCK, as `cexbar run` starts it. */
async function runPanelCommand(configPath: string): Promise<number> {
  isPanelProcess = true;
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
    configPath,
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
  // Usually GTK's display ends with Sway first; a display that is not Sway's (a nested one)
  // stays, and the panel ends here so that `cexbar run` can start one on the next Sway.
  panel.onSwayEnded(() => stop('Sway has ended'));
  panelModule.runMainLoop();
  return -1;
}

/**
 * `cexbar run`: checks what a panel would refuse (the config, a panel already running), then
 * supervises panel processes across Sway's restarts (see supervise.ts).
 */
async function runSupervisor(configPath: string): Promise<number> {
  await loadConfig(configPath);
  const runtimeDir = runtimeDirOf(process.env);
  const control = controlSocketPath(runtimeDir);
  if (await socketAnswers(control)) {
    const { ControlSocketBusyError } = await import('../control/server.js');
    throw new ControlSocketBusyError(control);
  }
  const { NoSwayError, PanelSupervisor } = await import('./supervise.js');
  const supervisor = new PanelSupervisor({
    panelCommand: [process.execPath, __filename, 'panel', '-c', resolve(configPath)],
    runtimeDir,
    uid: process.getuid?.() ?? 0,
    env: process.env,
  });
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
  process.on('SIGINT', () => supervisor.stop('SIGINT'));
  await supervisor.start().catch((error: unknown) => {
    // Outside a Sway session there is nothing to wait for: the user started it in the wrong place.
    throw error instanceof NoSwayError ? new UsageError(error.message) : error;
  });
  return supervisor.done;
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** A command's help; the main help for no command (the default, run, has its own). */
function helpFor(command: string | undefined): string {
  if (command === undefined || !Object.hasOwn(HELP, command)) return HELP.main;
  return HELP[command as keyof typeof HELP];
}

/**
 * Refuses unknown options and missing values with messages of cexbar's own: parseArgs's speak
 * of positionals and '--', which is not what the user got wrong.
 */
function checkOptions(argv: string[]): void {
  const { tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) {
      throw new UsageError(`unknown option ${token.rawName}; see 'cexbar --help'`);
    }
    const { type } = OPTIONS[token.name as keyof typeof OPTIONS];
    if (type === 'boolean' && token.value !== undefined) {
      throw new UsageError(
        `option ${token.rawName} takes no value (got ${JSON.stringify(token.value)})`,
      );
    }
    // Not strict, parseArgs takes the next word even when it is an option ("-c --help").
    const missing = token.value === undefined || (!token.inlineValue && /^-./.test(token.value));
    // --config is the one option that takes a value.
    if (type === 'string' && missing) {
      throw new UsageError(`option ${token.rawName} needs a FILE; see 'cexbar --help'`);
    }
  }
}

function parseCommandLine(argv: string[]) {
  checkOptions(argv);
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // checkOptions refused what it knows of; anything else is still the user's to fix.
    throw new UsageError(`${describeError(error)}; see 'cexbar --help'`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.version === true) {
    process.stdout.write(`cexbar ${version()}\n`);
    return 0;
  }
  if (values.help === true) {
    process.stdout.write(helpFor(command));
    return 0;
  }
  switch (command ?? 'run') {
    case 'run':
      return runSupervisor(values.config ?? defaultConfigPath());
    case 'panel':
      return runPanelCommand(values.config ?? defaultConfigPath());
    case 'msg':
      return runMsg(rest);
    case 'check':
      return runCheck(rest[0]);
    case 'schema':
      return runSchema(rest);
    case 'doctor':
      return runDoctor(rest, values.config ?? defaultConfigPath());
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; see 'cexbar --help'`);
  }
}

/** Whether this process is `cexbar panel`, whose refusals tell `cexbar run` not to retry. */
let isPanelProcess = false;

function exitStatusOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  const refused = error instanceof Error && error.name === 'ControlSocketBusyError';
  return isPanelProcess && refused ? EXIT_PANEL_REFUSED : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: the panel runs on in GTK's main loop.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    // Every message here is written for the user as it stands: one line (or a config's list).
    process.stderr.write(`cexbar: ${describeError(error)}\n`);
    // Exit now, not when the event loop drains: a panel that failed while starting may hold
    // Sway's connection, LXC's monitor or GTK open, and would stay alive with no bar.
    process.exit(exitStatusOf(error));
  },
);
