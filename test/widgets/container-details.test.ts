import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detailLines, formatBytes, formatUptime } from '../../src/widgets/container-details.js';

test('the menu shows the details of a running container in words', () => {
  assert.deepEqual(
    detailLines({
      state: 'RUNNING',
      pid: 10050,
      addresses: ['10.99.0.3', '10.99.0.4'],
      memoryBytes: 921600,
      cpuNanoseconds: 8028283,
      uptimeSeconds: 3_725,
    }),
    ['State: running', 'Addresses: 10.99.0.3, 10.99.0.4', 'Memory: 900.0 KiB', 'Uptime: 1 h 2 min'],
  );
});

test('a stopped container has no addresses, memory or uptime to show', () => {
  assert.deepEqual(
    detailLines({
      state: 'STOPPED',
      pid: null,
      addresses: [],
      memoryBytes: null,
      cpuNanoseconds: null,
      uptimeSeconds: null,
    }),
    ['State: stopped', 'Addresses: none', 'Memory: -', 'Uptime: -'],
  );
});

test('sizes and uptimes read as a person would say them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GiB');
  assert.equal(formatUptime(42), '42 s');
  assert.equal(formatUptime(61), '1 min');
  assert.equal(formatUptime(2 * 86_400 + 5 * 3_600), '2 d 5 h');
});
