import { readFixtureText } from '../../helpers/fixtures.js';

/** A reply or event recorded from the real Sway 1.7 by test/sway/record-fixtures.ts. */
export function readFixture(name: string): string {
  return readFixtureText('sway', name);
}

/** A recorded fixture as a JSON value, to alter before it is parsed again. */
export function readFixtureJson(name: string): unknown {
  return JSON.parse(readFixture(name));
}
