import { join } from 'node:path';
import { z } from 'zod';
import { CONTAINER_ACTIONS } from '../containers/container-state.js';

/*
 * The control interface: newline-delimited JSON over a Unix socket that only the desktop user can
 * open. `cexbar msg` and Sway key bindings speak it; a request per line, a reply per line.
 */

export const MODULES_WITH_ITEMS = ['workspaces', 'containers', 'windows', 'tray'] as const;

export const controlRequestSchema = z.discriminatedUnion('command', [
  z.strictObject({ command: z.literal('state') }),
  z.strictObject({
    command: z.literal('activate'),
    module: z.enum(MODULES_WITH_ITEMS),
    item: z.string().min(1).max(4096),
  }),
  // One action of a container's menu; the reply comes once it has finished.
  z.strictObject({
    command: z.literal('action'),
    module: z.literal('containers'),
    item: z.string().min(1).max(4096),
    action: z.enum(CONTAINER_ACTIONS),
  }),
  // Pops up a container's or a tray item's menu on the bar, as a right click does, or the menu
  // of the windows left out (item "hidden"), as a click on the "+N" button does.
  z.strictObject({
    command: z.literal('menu'),
    module: z.enum(['containers', 'tray', 'windows']),
    item: z.string().min(1).max(4096),
  }),
  // A desktop notification's close button or action button, as a click on it does.
  z.strictObject({
    command: z.literal('notification'),
    id: z.int().min(1).max(0xffffffff),
    action: z.enum(['close', 'invoke']),
    key: z.string().min(1).max(4096).optional(),
  }),
]);

export type ControlRequest = z.infer<typeof controlRequestSchema>;

export type ControlReply = { ok: true; result: unknown } | { ok: false; error: string };

/** The socket's folder holds nothing else of ours that a container could see. */
export function controlSocketPath(runtimeDir: string): string {
  return join(runtimeDir, 'cexbar', 'control.sock');
}
