import { join } from 'node:path';
import { readPpm, type Image } from '../../../scripts/harness/image.js';
import type { SwaySession } from '../../../scripts/harness/sway-session.js';

/*
 * Screenshots of the test Sway for the end-to-end tests: the pixels they check (PPM) and a PNG
 * to look at, both kept in test-output/.
 */

const OUTPUT = join(process.cwd(), 'test-output');

/** The pixels first, then the PNG: the PNG is never older than the pixels checked. */
export async function screenshot(session: SwaySession, name: string): Promise<Image> {
  const ppm = join(OUTPUT, `${name}.ppm`);
  await session.screenshot(ppm);
  const image = readPpm(ppm);
  await session.screenshot(join(OUTPUT, `${name}.png`));
  return image;
}

/**
 * Screenshots until `accept` holds or 10 s have passed, and returns the last one: a style or a
 * popup has no state that says it is drawn, so the caller asserts on what the screen shows.
 */
export async function waitForScreen(
  session: SwaySession,
  name: string,
  accept: (image: Image) => boolean,
): Promise<Image> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const image = await screenshot(session, name);
    if (accept(image) || Date.now() > deadline) return image;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
