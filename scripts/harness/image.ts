import { readFileSync } from 'node:fs';

/*
 * Pixels of a screenshot, for tests that check what a user sees. grim writes binary PPM (P6),
 * which needs no image library to read.
 */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface Image {
  width: number;
  height: number;
  pixel(x: number, y: number): Rgb;
}

/** Reads a binary PPM file with a maximum value of 255. */
export function readPpm(path: string): Image {
  const data = readFileSync(path);
  // The header is three whitespace-separated numbers after "P6", then one whitespace byte.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
  if (header === null) throw new Error(`${path}: not a binary PPM file`);
  const [whole, width, height, maximum] = header;
  if (maximum !== '255') throw new Error(`${path}: PPM maximum ${maximum}, expected 255`);
  const offset = whole.length;
  const w = Number(width);
  return {
    width: w,
    height: Number(height),
    pixel: (x, y) => {
      const at = offset + (y * w + x) * 3;
      return { r: data[at] ?? 0, g: data[at + 1] ?? 0, b: data[at + 2] ?? 0 };
    },
  };
}

/** "#rrggbb" as a colour. */
export function hex(colour: string): Rgb {
  const value = Number.parseInt(colour.replace('#', ''), 16);
  return { r: value >> 16, g: (value >> 8) & 0xff, b: value & 0xff };
}

export function sameColour(a: Rgb, b: Rgb, tolerance = 2): boolean {
  return (
    Math.abs(a.r - b.r) <= tolerance &&
    Math.abs(a.g - b.g) <= tolerance &&
    Math.abs(a.b - b.b) <= tolerance
  );
}

/** How many pixels of the rectangle have the colour. */
export function countColour(
  image: Image,
  colour: Rgb,
  area: { x: number; y: number; width: number; height: number },
): number {
  let count = 0;
  for (let y = area.y; y < area.y + area.height; y += 1) {
    for (let x = area.x; x < area.x + area.width; x += 1) {
      if (sameColour(image.pixel(x, y), colour)) count += 1;
    }
  }
  return count;
}

/** How many different colours the rectangle holds: text and icons make many. */
export function distinctColours(
  image: Image,
  area: { x: number; y: number; width: number; height: number },
): number {
  const seen = new Set<number>();
  for (let y = area.y; y < area.y + area.height; y += 1) {
    for (let x = area.x; x < area.x + area.width; x += 1) {
      const { r, g, b } = image.pixel(x, y);
      seen.add((r << 16) | (g << 8) | b);
    }
  }
  return seen.size;
}
