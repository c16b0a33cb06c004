import { z } from 'zod';
import { SwayProtocolError } from './errors.js';
import { describeMessageType, eventNameOf } from './protocol.js';

/*
 * The parts of Sway's replies and events cexbar reads (sway-ipc(7)), as checked by zod. Sway
 * adds fields and enum values between releases, so objects drop what they do not list instead
 * of failing, and enum-like fields are plain strings whose known values are documented here.
 * Fields that Sway omits on some nodes or sends as null read as null.
 */

/** Absent and null both read as null: Sway omits some fields on nodes where they mean nothing. */
function nullable<T extends z.ZodType>(schema: T) {
  return schema.nullable().default(null);
}

export const rectSchema = z
  .object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })
  .describe('A rectangle in layout coordinates.');

const emptyRect = { x: 0, y: 0, width: 0, height: 0 };

export const windowPropertiesSchema = z
  .object({
    class: z.string().optional(),
    instance: z.string().optional(),
    title: z.string().optional(),
    window_role: z.string().optional(),
    window_type: z.string().optional(),
    transient_for: z.number().nullable().optional(),
  })
  .describe('X11 properties of an Xwayland view.');

/** A node of the layout tree: root, outputs, workspaces, containers and views. */
export const swayNodeSchema = z
  .object({
    id: z.number().describe('The con_id commands address it by.'),
    type: z
      .string()
      .describe('root, output, workspace, con or floating_con; later Sway may add others.'),
    name: nullable(z.string()).describe('Title of a view, name of anything else; null on splits.'),
    num: z.number().optional().describe('Workspace number; -1 for a named workspace.'),
    output: z.string().optional().describe("A workspace's output."),
    focused: z.boolean().default(false),
    urgent: z.boolean().default(false),
    visible: z.boolean().optional().describe('Views only: whether it is drawn now.'),
    rect: rectSchema.default(emptyRect),
    pid: nullable(z.number()).describe("Views only: the client's process id."),
    app_id: nullable(z.string()).describe('Wayland views only: the app_id; may be null there.'),
    window: nullable(z.number()).describe('Xwayland views only: the X11 window id.'),
    shell: z.string().optional().describe('Views only: xdg_shell or xwayland.'),
    window_properties: windowPropertiesSchema.optional(),
    // Typed by hand: TypeScript cannot infer a schema that contains itself.
    get nodes(): z.ZodDefault<z.ZodArray<typeof swayNodeSchema>> {
      return z.array(swayNodeSchema).default([]);
    },
    get floating_nodes(): z.ZodDefault<z.ZodArray<typeof swayNodeSchema>> {
      return z.array(swayNodeSchema).default([]);
    },
  })
  .describe('A node of the layout tree (GET_TREE).');

export type SwayNode = z.infer<typeof swayNodeSchema>;

export const workspaceSchema = z
  .object({
    id: z.number(),
    name: z.string(),
    num: z.number().describe('-1 for a workspace whose name does not start with a number.'),
    output: z.string(),
    focused: z.boolean(),
    visible: z.boolean(),
    urgent: z.boolean(),
    rect: rectSchema.default(emptyRect),
  })
  .describe('A workspace (GET_WORKSPACES).');

export const workspacesReplySchema = z.array(workspaceSchema);

export type SwayWorkspace = z.infer<typeof workspaceSchema>;

export const outputSchema = z
  .object({
    name: z.string(),
    active: z.boolean().describe('False for an output that is connected but disabled.'),
    focused: z.boolean().default(false),
    rect: rectSchema.default(emptyRect),
    current_workspace: nullable(z.string()),
  })
  .describe('An output (GET_OUTPUTS).');

export const outputsReplySchema = z.array(outputSchema);

export type SwayOutput = z.infer<typeof outputSchema>;

export const commandResultSchema = z
  .object({
    success: z.boolean(),
    parse_error: z.boolean().optional(),
    error: z.string().optional().describe("Sway's reason, when success is false."),
  })
  .describe('The result of one command of a RUN_COMMAND list.');

export const commandReplySchema = z.array(commandResultSchema);

export const subscribeReplySchema = z.object({ success: z.boolean() });

/** GET_CONFIG: the text of the main config file Sway last loaded (not its includes). */
export const configReplySchema = z.object({ config: z.string() });

/** GET_BINDING_STATE: the binding mode now active ("default" unless one was entered). */
export const bindingStateReplySchema = z.object({ name: z.string() });

export const versionReplySchema = z.object({
  major: z.number(),
  minor: z.number(),
  patch: z.number(),
  human_readable: z.string(),
});

export const workspaceEventSchema = z
  .object({
    change: z
      .string()
      .describe('init, empty, focus, move, rename, urgent or reload; later Sway may add others.'),
    current: nullable(swayNodeSchema),
    old: nullable(swayNodeSchema),
  })
  .describe('A workspace event; current and old are null on reload.');

export const windowEventSchema = z
  .object({
    change: z
      .string()
      .describe(
        'new, close, focus, title, fullscreen_mode, move, floating, urgent or mark; ' +
          'later Sway may add others.',
      ),
    container: swayNodeSchema,
  })
  .describe('A window event.');

export const outputEventSchema = z
  .object({ change: z.string().describe('Sway 1.7 always sends "unspecified".') })
  .describe('An output event: an output was added, removed or changed.');

export const modeEventSchema = z
  .object({ change: z.string().describe('The binding mode now active.') })
  .describe('A mode event.');

export const shutdownEventSchema = z
  .object({ change: z.string().describe('"exit".') })
  .describe('A shutdown event: Sway is exiting.');

/** The events cexbar subscribes to, with the schema of each one's payload. */
export const EVENT_SCHEMAS = {
  workspace: workspaceEventSchema,
  window: windowEventSchema,
  output: outputEventSchema,
  mode: modeEventSchema,
  shutdown: shutdownEventSchema,
} as const;

export type SubscribedEventName = keyof typeof EVENT_SCHEMAS;

export type SwayEvent = {
  [Name in SubscribedEventName]: { name: Name; body: z.infer<(typeof EVENT_SCHEMAS)[Name]> };
}[SubscribedEventName];

/**
 * A payload as `schema` reads it, or a SwayProtocolError that names it (`what`: "GET_TREE
 * reply", "window event") and says what did not fit and where.
 */
export function parsePayload<S extends z.ZodType>(
  what: string,
  payload: string,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SwayProtocolError(`sway: the ${what} is not JSON (${detail})`, { cause: error });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const path =
    issue === undefined || issue.path.length === 0 ? '' : issue.path.map(String).join('.');
  const at = path === '' ? '' : ` → at ${path}`;
  throw new SwayProtocolError(`sway: unexpected ${what}: ${issue?.message ?? 'invalid'}${at}`, {
    cause: result.error,
  });
}

function isSubscribedEvent(name: string): name is SubscribedEventName {
  return Object.hasOwn(EVENT_SCHEMAS, name);
}

/**
 * An event's content, typed by its name. An event cexbar does not subscribe to, or one whose
 * payload does not fit, is a SwayProtocolError: the caller decides whether that matters.
 */
export function parseSwayEvent(type: number, payload: string): SwayEvent {
  const name = eventNameOf(type);
  if (name === null || !isSubscribedEvent(name)) {
    throw new SwayProtocolError(`sway: unexpected ${describeMessageType(type)}`);
  }
  const body: unknown = parsePayload(`${name} event`, payload, EVENT_SCHEMAS[name]);
  // The body was read by the schema of this very name; TypeScript cannot pair the two itself.
  return { name, body } as SwayEvent;
}
