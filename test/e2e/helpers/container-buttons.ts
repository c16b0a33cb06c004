import { hex, sameColour, type Image } from '../../../scripts/harness/image.js';
import type { SwaySession } from '../../../scripts/harness/sway-session.js';
import { screenshot } from './screen.js';

export { screenshot };

/*
 * Screenshots and the container buttons in them, for the tests that click the bar with the
 * real pointer: a bar configured with the containers module alone shows one drawn run of
 * pixels per container, left to right in the bar's order.
 */

export const BAR_HEIGHT = 28;
const BAR_BACKGROUND = hex('#1d2026');
// Letters of one label are a few pixels apart; buttons further.
const GAP_BETWEEN_BUTTONS = 6;

/** Waits until a screenshot satisfies `accept` (GTK draws a moment after the state changes). */
export async function waitForPixels(
  session: SwaySession,
  name: string,
  accept: (image: Image) => boolean,
): Promise<Image> {
  for (let attempt = 0; ; attempt += 1) {
    const image = await screenshot(session, name);
    if (accept(image)) return image;
    if (attempt === 50) throw new Error(`the screenshot ${name} never showed what was expected`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The columns of the bar that hold something other than its background, as [from, to) runs. */
export function drawnRuns(image: Image): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  for (let x = 0; x < image.width; x += 1) {
    let drawn = false;
    for (let y = 2; y < BAR_HEIGHT - 2 && !drawn; y += 1) {
      drawn = !sameColour(image.pixel(x, y), BAR_BACKGROUND, 24);
    }
    if (!drawn) continue;
    const last = runs.at(-1);
    if (last !== undefined && x - last.to < GAP_BETWEEN_BUTTONS) last.to = x + 1;
    else runs.push({ from: x, to: x + 1 });
  }
  return runs;
}

/** The middle of each of `count` container buttons, once the bar shows that many. */
export async function buttonCentres(
  session: SwaySession,
  count: number,
): Promise<{ x: number; y: number }[]> {
  const image = await waitForPixels(
    session,
    'container-buttons',
    (shot) => drawnRuns(shot).length === count,
  );
  return drawnRuns(image).map((run) => ({
    x: Math.round((run.from + run.to) / 2),
    y: BAR_HEIGHT / 2,
  }));
}
