import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { configJsonSchema } from '../../src/config/json-schema.js';

/* `cexbar schema`: the config's JSON Schema, generated from the zod schema. */

const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.js');

interface Node {
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  oneOf?: Node[];
  anyOf?: Node[];
}

/** Every property in the schema, with its path, however deeply it is nested. */
function propertiesOf(node: Node, path: string): [string, Node][] {
  const found: [string, Node][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    found.push([`${path}.${key}`, child], ...propertiesOf(child, `${path}.${key}`));
  }
  const nested = [
    ...(typeof node.additionalProperties === 'object' ? [node.additionalProperties] : []),
    ...(node.items === undefined ? [] : [node.items]),
    ...(node.oneOf ?? []),
    ...(node.anyOf ?? []),
  ];
  for (const child of nested) found.push(...propertiesOf(child, `${path}.*`));
  return found;
}

test('cexbar schema prints the JSON Schema and nothing else', () => {
  const result = spawnSync(process.execPath, [MAIN, 'schema'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  assert.deepEqual(JSON.parse(result.stdout), configJsonSchema());
});

test('every property in the schema has a description', () => {
  const schema = configJsonSchema() as Node;
  const properties = propertiesOf(schema, '(top)');
  assert.ok(properties.length > 15, `only ${properties.length} properties found`);
  const undescribed = properties
    .filter(([, node]) => typeof node.description !== 'string' || node.description === '')
    .map(([path]) => path);
  assert.deepEqual(undescribed, []);
});

test('the defaults appear in the schema, as values and in the descriptions', () => {
  const schema = configJsonSchema() as Node;
  const top = schema.properties ?? {};
  assert.equal(top.height?.default, 28);
  assert.deepEqual(top.modules?.default, [
    'workspaces',
    'mode',
    'windows',
    'window',
    'scratchpad',
    'containers',
    'tray',
    'clock',
  ]);
  assert.equal(top.clock?.properties?.format?.default, 'EEE d MMM HH:mm');
  assert.equal(top.containers?.properties?.lxcPath?.default, '/var/lib/lxc');
  for (const [path, node] of propertiesOf(schema, '(top)')) {
    if (node.default === undefined || typeof node.default === 'object') continue;
    assert.match(node.description ?? '', /Default: /, `${path} does not say its default`);
  }
});
