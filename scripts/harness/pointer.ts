import { join } from 'node:path';
import type { SwaySession } from './sway-session.js';
import { VirtualPointer, type PointerButton } from './virtual-pointer.js';

/*
 * A real pointer in the harness Sway, whose headless seat has none: the virtual-pointer client
 * of scripts/harness/virtual-pointer.ts, kept on the seat for the whole test so that clients
 * hold a wl_pointer before the first click.
 *
 *   const pointer = await startPointer(session);
 *   await pointer.click(x, y, 'right');   // output-layout coordinates, as in a screenshot
 *   await pointer.scroll(x, y, 'down');
 *   await pointer.stop();
 *
 * Each call resolves once Sway has handled the events (a Wayland round trip), not once the
 * client under the pointer has reacted: wait for that client's state or pixels. The layout's
 * size is read at the start: a test that adds outputs later starts its pointer after that.
 */

export type { PointerButton };
export type ScrollDirection = 'up' | 'down' | 'left' | 'right';

export interface Pointer {
  click(x: number, y: number, button?: PointerButton): Promise<void>;
  move(x: number, y: number): Promise<void>;
  scroll(x: number, y: number, direction: ScrollDirection): Promise<void>;
  stop(): Promise<void>;
}

interface OutputRect {
  active: boolean;
  rect: { x: number; y: number; width: number; height: number };
}

/** The size of Sway's output layout: absolute motion is given as a share of it. */
async function layoutSize(session: SwaySession): Promise<{ width: number; height: number }> {
  const outputs = JSON.parse(await session.swaymsg('-r', '-t', 'get_outputs')) as OutputRect[];
  const active = outputs.filter((output) => output.active).map((output) => output.rect);
  return {
    width: Math.max(...active.map((rect) => rect.x + rect.width)),
    height: Math.max(...active.map((rect) => rect.y + rect.height)),
  };
}

/** Puts a virtual pointer on the session's seat; it stays there until stop. */
export async function startPointer(session: SwaySession): Promise<Pointer> {
  const { width, height } = await layoutSize(session);
  const display = join(session.runtimeDir, session.env.WAYLAND_DISPLAY);
  const device = await VirtualPointer.open(display, width, height);
  // Commands go one at a time: a round trip's reply must not be taken for another's.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (events: () => void): Promise<void> => {
    const result = queue.then(() => {
      events();
      return device.sync();
    });
    queue = result.catch(() => undefined);
    return result;
  };
  const pointer: Pointer = {
    click: (x, y, button = 'left') =>
      send(() => {
        device.moveTo(x, y);
        device.click(button);
      }),
    move: (x, y) => send(() => device.moveTo(x, y)),
    scroll: (x, y, direction) =>
      send(() => {
        device.moveTo(x, y);
        const notches = direction === 'up' || direction === 'left' ? -1 : 1;
        device.scroll(
          notches,
          direction === 'up' || direction === 'down' ? 'vertical' : 'horizontal',
        );
      }),
    stop: async () => {
      await queue;
      await device.close();
    },
  };
  // A first motion proves the device works before a test relies on it.
  await pointer.move(1, 1);
  return pointer;
}

/**
 * Runs `attempt` until it resolves, ten times at most, for a first pointer action: GTK may miss
 * the very first enter after the seat gains a pointer. The last failure carries `log()`.
 */
export async function retry(
  what: string,
  attempt: () => Promise<void>,
  log: () => string = () => '',
): Promise<void> {
  for (let tries = 1; ; tries += 1) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (tries === 10) throw new Error(`${what}: ${String(error)}\n${log()}`);
    }
  }
}
