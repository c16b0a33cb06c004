import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** test/fixtures/, from the compiled helper's place in dist/test/helpers/. */
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** A file recorded from a real program: `readFixtureText('lxc', 'ls-fancy.txt')`. */
export function readFixtureText(folder: string, name: string): string {
  return readFileSync(join(FIXTURES, folder, name), 'utf8');
}
