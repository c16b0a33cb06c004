import { format } from 'date-fns';
import { z } from 'zod';
import { LABEL_COLOURS } from '../containers/label-colours.js';
import { ContainerNameError, isValidContainerName } from '../containers/names.js';
import { describeError } from '../util/log.js';
import { closestWord } from './did-you-mean.js';
import { localeCodes } from './locale.js';

/*
 * The config file's schema is its documentation: every field says what it does and its default,
 * and `cexbar schema` prints it as JSON Schema. Objects are strict so that a misspelt key is an
 * error with its path rather than a setting silently ignored.
 */

/** "unknown key "clok" (did you mean "clock"?)", for keys of an object that knows `known`. */
function describeUnknownKeys(keys: readonly string[], known: readonly string[]): string {
  const described = keys.map((key) => {
    const meant = closestWord(key, known);
    const hint = meant === null ? '' : ` (did you mean ${JSON.stringify(meant)}?)`;
    return `${JSON.stringify(key)}${hint}`;
  });
  return `unknown key${keys.length === 1 ? '' : 's'} ${described.join(', ')}`;
}

/** A strict object whose error for a misspelt key names the known key it most likely meant. */
function strictObject<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
): z.ZodObject<Shape, z.core.$strict> {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? describeUnknownKeys(issue.keys, Object.keys(shape))
        : undefined,
  });
}

/**
 * date-fns's reason for refusing a format, or null when it formats. The clock formats on every
 * tick, so a format date-fns only warns about (as it does for "Y") is refused too; the warning
 * goes into the message rather than to stderr.
 */
function dateFormatProblem(pattern: string): string | null {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: unknown) => {
    warnings.push(String(message));
  };
  try {
    format(new Date(), pattern);
  } catch (error) {
    warnings.unshift(describeError(error));
  } finally {
    console.warn = warn;
  }
  // date-fns quotes the date it formatted, today's: it says nothing about the mistake.
  return warnings[0]?.replace(/ to the input `[^`]*`/, '') ?? null;
}

const clockFormat = z
  .string()
  .min(1)
  .superRefine((pattern, context) => {
    const problem = dateFormatProblem(pattern);
    if (problem !== null) {
      context.addIssue({
        code: 'custom',
        message: `date-fns refuses the format ${JSON.stringify(pattern)}: ${problem}`,
      });
    }
  });

const clockLocale = z.string().superRefine((code, context) => {
  if (localeCodes().includes(code)) return;
  const meant = closestWord(code, localeCodes());
  const hint = meant === null ? '' : ` (did you mean ${JSON.stringify(meant)}?)`;
  context.addIssue({
    code: 'custom',
    message: `date-fns has no locale ${JSON.stringify(code)}${hint}`,
  });
});

const containerName = z.string().refine(isValidContainerName, {
  error: (issue) => new ContainerNameError(String(issue.input)).message,
});

const westonSession = strictObject({
  type: z.literal('weston').describe('A nested Weston compositor (its wayland backend).'),
  width: z
    .int()
    .min(64)
    .max(16384)
    .default(1280)
    .describe('Output width in pixels. Default: 1280.'),
  height: z
    .int()
    .min(64)
    .max(16384)
    .default(720)
    .describe('Output height in pixels. Default: 720.'),
  args: z
    .array(z.string())
    .default([])
    .describe('Extra arguments for weston, after the ones cexbar sets. Default: [].'),
}).describe("Run Weston nested in Sway, its socket in the container's own session folder.");

const cageSession = strictObject({
  type: z.literal('cage').describe('A nested Cage kiosk compositor running one application.'),
  command: z
    .array(z.string())
    .min(1)
    .describe('The application Cage runs, as an argument vector run inside the container.'),
}).describe('Run Cage nested in Sway with one application from the container.');

// Xwayland 22.1 (Debian 12) has no -geometry (23.1 added it): its screen takes the size of the
// host output, so this session has no width or height yet.
const xwaylandSession = strictObject({
  type: z
    .literal('xwayland')
    .describe('A rootful Xwayland X server nested in Sway, running one X program.'),
  command: z
    .array(z.string())
    .min(1)
    .describe(
      'The X program to run inside the container, as an argument vector, with DISPLAY=:N set ' +
        'to its own Xwayland (and no other variable). Required: no default.',
    ),
}).describe("Run Xwayland nested in Sway, its X socket in the container's own session folder.");

const noSession = strictObject({
  type: z.literal('none').describe('This container has no graphical session.'),
}).describe('No session: a click only starts the container.');

export const sessionSchema = z
  .discriminatedUnion('type', [westonSession, cageSession, xwaylandSession, noSession])
  .describe('The nested compositor a click on the container launches.');

export const containerEntrySchema = strictObject({
  session: sessionSchema.default({ type: 'none' }).describe('Default: { "type": "none" }.'),
  colour: z
    .enum(LABEL_COLOURS)
    .optional()
    .describe(
      "The container's label colour: its tag on the bar and its mark in Sway's title bars. " +
        'Default: one of red, orange, yellow, green, blue and purple, picked by the name ' +
        '(the same name always gets the same colour).',
    ),
  user: strictObject({
    uid: z.int().min(0).max(4294967294).describe("The user's id inside the container."),
    gid: z.int().min(0).max(4294967294).describe("The user's group id inside the container."),
  })
    .optional()
    .describe(
      'The container user that Cage and Xwayland sessions run their program as (lxc-attach ' +
        '--uid/--gid), by its ids inside the container, for example { "uid": 1000, ' +
        '"gid": 1000 }. It also gets access to the session folder (its host uid, through ' +
        "the container's lxc.idmap). Default: none (the container's root).",
    ),
  terminal: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      'The menu\'s "Open a terminal" command: an argument vector run on the host as the ' +
        'desktop user, exactly as written (no shell, no {name} or other substitution), for ' +
        'example ["foot", "ssh", "10.0.0.3"]. It gets no privilege: sudo rights are the LXC ' +
        "helper's alone. Default: none (the menu has no terminal item).",
    ),
}).describe('Settings of one container.');

/** Every module the bar has, in the default order of the bar. */
const MODULE_NAMES = [
  'workspaces',
  'mode',
  'windows',
  'window',
  'scratchpad',
  'containers',
  'tray',
  'clock',
] as const;

export const configSchema = strictObject({
  modules: z
    .array(z.enum(MODULE_NAMES))
    .default([...MODULE_NAMES])
    .describe(
      'Modules of the bar from left to right. The window title takes the free space; mode ' +
        "(Sway's binding mode) shows only outside the default mode, scratchpad (its window " +
        'count) only while it holds windows, tray only while it holds items. Default: ' +
        '["workspaces", "mode", "windows", "window", "scratchpad", "containers", "tray", "clock"].',
    ),
  height: z
    .int()
    .min(16)
    .max(200)
    .default(28)
    .describe('Height of the bar in pixels. Default: 28.'),
  workspaces: strictObject({
    allOutputs: z
      .boolean()
      .default(false)
      .describe(
        "Show the workspaces of every output on each bar, not only those of the bar's own " +
          'output. Default: false.',
      ),
    persistent: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Workspace names shown even while Sway has no such workspace (a click creates it), ' +
          'sorted among the others: numbered ones by number, named ones by name. Default: [].',
      ),
  })
    .prefault({})
    .describe("Sway's workspaces; a click switches to one, a scroll to the next or previous."),
  outputs: strictObject({
    only: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Sway outputs (as `swaymsg -t get_outputs` names them, e.g. "DP-1") that get a bar; ' +
          'none listed: every enabled output. Default: [].',
      ),
    skip: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Sway outputs that get no bar, also when `only` lists them: every output but these. ' +
          'Default: [].',
      ),
  })
    .prefault({})
    .describe('Which outputs get a bar: one bar on each enabled output by default.'),
  window: strictObject({
    maxLength: z
      .int()
      .min(1)
      .max(1000)
      .default(80)
      .describe('Longest window title shown, in characters; longer ones are cut. Default: 80.'),
  })
    .prefault({})
    .describe("The focused window's title."),
  windows: strictObject({
    maxLength: z
      .int()
      .min(1)
      .max(200)
      .default(24)
      .describe(
        'Longest title on a window button, in characters; longer ones are cut. Default: 24.',
      ),
    markInSway: z
      .boolean()
      .default(true)
      .describe(
        "Write each container window's owner into its Sway title bar, in the container's " +
          "colour (Sway's title_format; coloured with `font pango:...` in the Sway config, " +
          'as plain "[NAME]" otherwise). Default: true.',
      ),
  })
    .prefault({})
    .describe('Windows grouped under the container that owns them.'),
  clock: strictObject({
    format: clockFormat
      .default('EEE d MMM HH:mm')
      .describe('A date-fns format string. Default: "EEE d MMM HH:mm".'),
    locale: clockLocale
      .optional()
      .describe(
        'The date-fns locale of day and month names, such as "de" or "fr-CH". Default: from ' +
          'LC_ALL, LC_TIME or LANG (de_DE.UTF-8 gives "de"), "en-US" when date-fns has none.',
      ),
  })
    .prefault({})
    .describe('The clock.'),
  tray: strictObject({
    iconSize: z
      .int()
      .min(8)
      .max(128)
      .optional()
      .describe(
        "Size of the tray's icons in pixels; an item's pixmap nearest it is scaled to it. " +
          "Default: the bar's height less 6 (22 for the default bar).",
      ),
  })
    .prefault({})
    .describe('The tray of StatusNotifierItems (the icons applications put on the bar).'),
  notifications: strictObject({
    mode: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe(
        'auto: show the desktop notifications of host programs (org.freedesktop.Notifications) ' +
          'when no other program (mako, dunst) serves them, and leave them to it when one ' +
          'does; off: never serve them. Default: "auto".',
      ),
    timeoutSeconds: z
      .number()
      .min(1)
      .max(3600)
      .default(5)
      .describe(
        'How long a notification stays when its program sets no timeout. Critical ones stay ' +
          'until closed. Default: 5.',
      ),
    maxShown: z
      .int()
      .min(1)
      .max(20)
      .default(5)
      .describe('The most popups shown at once, the newest first; the rest wait. Default: 5.'),
    position: z
      .enum(['top-right', 'top-left', 'bottom-right', 'bottom-left'])
      .default('top-right')
      .describe('The corner of the focused output where popups appear. Default: "top-right".'),
    width: z
      .int()
      .min(150)
      .max(1200)
      .default(360)
      .describe('Width of a popup in pixels. Default: 360.'),
    reportErrors: z
      .boolean()
      .default(true)
      .describe(
        "Send cexbar's own errors (a failed container action, an invalid config) as " +
          'notifications to whatever server runs, at most a few a minute. Default: true.',
      ),
  })
    .prefault({})
    .describe('Desktop notifications.'),
  containers: strictObject({
    lxcPath: z
      .string()
      .startsWith('/')
      .default('/var/lib/lxc')
      .describe('The LXC path (lxc-* -P) where containers live. Default: "/var/lib/lxc".'),
    stopTimeoutSeconds: z
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe(
        "How long Stop waits for a container's init to halt before it gives up, leaves the " +
          'container running and offers Kill. Default: 30.',
      ),
    showUnlisted: z
      .boolean()
      .default(true)
      .describe('Show containers that exist but are not listed below. Default: true.'),
    list: z
      .record(containerName, containerEntrySchema, {
        // The key's own message says what is wrong with the name, zod's only that it is.
        error: (issue) => (issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined),
      })
      .default({})
      .describe('Containers by name, in the order they appear on the bar. Default: {}.'),
  })
    .prefault({})
    .describe('LXC containers and their sessions.'),
}).describe('cexbar configuration ($XDG_CONFIG_HOME/cexbar/config.jsonc).');

export type Config = z.infer<typeof configSchema>;
export type SessionConfig = z.infer<typeof sessionSchema>;
export type ContainerEntry = z.infer<typeof containerEntrySchema>;

/** The config used when the user has written none. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
