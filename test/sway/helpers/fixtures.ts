import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** test/fixtures/sway/, from the compiled test's place in dist/test/sway/helpers/. */
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sway');

/** A reply or event recorded from the real Sway 1.7 by test/sway/record-fixtures.ts. */
export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A recorded fixture as a JSON value, to alter before it is parsed again. */
export function readFixtureJson(name: string): unknown {
  return JSON.parse(readFixture(name));
}
