import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  hostIdOf,
  LxcParseError,
  parseFancyList,
  parseIdmap,
  parseInfo,
  parseInfoState,
  parseLxcStartReason,
  parseMonitorLine,
} from '../../src/containers/lxc-parsers.js';
import { readFixtureText } from '../helpers/fixtures.js';

// Outputs recorded from real busybox containers (LXC 5.0.2); see test/fixtures/lxc/README.md.
function fixture(name: string): string {
  return readFixtureText('lxc', name);
}

describe('parseFancyList', () => {
  test('reads names, states and addresses by the header columns of a real listing', () => {
    assert.deepEqual(parseFancyList(fixture('ls-fancy.txt')), [
      { name: 'badnet', state: 'STOPPED', ipv4: [] },
      { name: 'c1', state: 'FROZEN', ipv4: [] },
      { name: 'c2', state: 'STOPPED', ipv4: [] },
      { name: 'net2', state: 'RUNNING', ipv4: ['10.77.0.3', '10.77.0.4'] },
      { name: 'work.banking-2', state: 'STOPPED', ipv4: [] },
    ]);
  });

  test('skips a container whose name could become an option (-dash)', () => {
    const names = parseFancyList(fixture('ls-fancy.txt')).map((entry) => entry.name);
    assert.equal(names.includes('-dash'), false);
  });

  test('ignores columns it did not ask for', () => {
    assert.deepEqual(
      parseFancyList(fixture('ls-fancy-wide.txt')),
      parseFancyList(fixture('ls-fancy.txt')),
    );
  });

  test('reads an empty listing, which has no header at all, as no containers', () => {
    assert.equal(fixture('ls-fancy-empty.txt'), '');
    assert.deepEqual(parseFancyList(fixture('ls-fancy-empty.txt')), []);
  });

  test('rejects output without a NAME column with a message that quotes it', () => {
    assert.throws(() => parseFancyList('Usage: lxc-ls [-P lxcpath]\n'), {
      name: 'LxcParseError',
      message:
        'lxc-ls --fancy header: expected a NAME column, received "Usage: lxc-ls [-P lxcpath]"',
    });
  });
});

describe('parseInfoState', () => {
  test('reads the bare states lxc-info -sH prints', () => {
    assert.equal(parseInfoState(fixture('info-running.txt')), 'RUNNING');
    assert.equal(parseInfoState(fixture('info-stopped.txt')), 'STOPPED');
    assert.equal(parseInfoState(fixture('info-frozen.txt')), 'FROZEN');
  });

  test('rejects anything else', () => {
    assert.throws(() => parseInfoState(fixture('info-missing.stderr.txt')), LxcParseError);
  });
});

describe('parseMonitorLine', () => {
  test('reads every state change and exit of a real lxc-monitor recording', () => {
    const events = fixture('monitor.txt').trim().split('\n').map(parseMonitorLine);
    assert.deepEqual(events.slice(0, 3), [
      { kind: 'state', name: 'c2', state: 'STARTING' },
      { kind: 'state', name: 'c2', state: 'RUNNING' },
      { kind: 'state', name: 'badnet', state: 'STARTING' },
    ]);
    assert.deepEqual(events.at(-3), { kind: 'exit', name: 'c2', status: 0 });
    assert.equal(events.includes(null), false);
  });

  test('skips lines about a container with an invalid name', () => {
    const lines = fixture('monitor-invalid-name.txt').trim().split('\n');
    const names = lines
      .map(parseMonitorLine)
      .flatMap((event) => (event === null ? [] : [event.name]));
    assert.deepEqual(names, ['c2', 'c2', 'c2', 'c2', 'c2']);
    assert.equal(lines.filter((line) => line.startsWith("'-dash'")).length, 5);
  });

  test('skips lines it does not know', () => {
    assert.equal(parseMonitorLine('lxc-monitor: something else'), null);
    assert.equal(parseMonitorLine("'x;id' changed state to [RUNNING]"), null);
  });
});

describe('parseLxcStartReason', () => {
  test("finds LXC's root cause in a real failed start's log", () => {
    assert.match(
      parseLxcStartReason(fixture('start-no-such-bridge.log')) ?? '',
      new RegExp(
        '^No such file or directory - Failed to attach "veth\\w+" to bridge "no-such-bridge", ' +
          "bridge interface doesn't exist$",
      ),
    );
  });

  test("falls back to the tool's own complaint when there is no log", () => {
    assert.equal(
      parseLxcStartReason(fixture('start-no-such-bridge.stderr.txt')),
      'Received container state "ABORTING" instead of "RUNNING"',
    );
  });

  test('returns null for output with no LXC error line', () => {
    assert.equal(parseLxcStartReason(''), null);
  });
});

describe('parseInfo', () => {
  test('reads the state, PID, memory and CPU time of a real running container', () => {
    assert.deepEqual(parseInfo(fixture('info-full-running.txt')), {
      state: 'RUNNING',
      pid: 10050,
      addresses: [],
      memoryBytes: 921600,
      cpuNanoseconds: 8028283,
    });
  });

  test('reads every address of a container with two, and skips its link lines', () => {
    const info = parseInfo(fixture('info-full-addresses.txt'));
    assert.deepEqual(info.addresses, ['10.99.0.3', '10.99.0.4']);
    assert.equal(info.memoryBytes, 593920);
  });

  test('reads a frozen container and a stopped one, which has no PID or numbers', () => {
    assert.equal(parseInfo(fixture('info-full-frozen.txt')).state, 'FROZEN');
    assert.deepEqual(parseInfo(fixture('info-full-stopped.txt')), {
      state: 'STOPPED',
      pid: null,
      addresses: [],
      memoryBytes: null,
      cpuNanoseconds: null,
    });
  });

  test('refuses output without a State line', () => {
    assert.throws(() => parseInfo('Name: c1\n'), {
      name: 'LxcParseError',
      message: 'lxc-info -H: expected a "State:" line such as RUNNING, received "Name: c1\\n"',
    });
  });
});

describe('parseIdmap and hostIdOf', () => {
  test("reads a real idmapped container's maps, one entry a line", () => {
    assert.deepEqual(parseIdmap(fixture('idmap-mapped.txt')), [
      { kind: 'u', inside: 0, outside: 200000, count: 65536 },
      { kind: 'g', inside: 0, outside: 200000, count: 65536 },
    ]);
  });

  test('reads a privileged container as no maps, its ids being the host ids', () => {
    const none = parseIdmap(fixture('idmap-none.txt'));
    assert.deepEqual(none, []);
    assert.equal(hostIdOf(none, 'u', 1000), 1000);
  });

  test("finds the host id of the container's root and user, none outside the range", () => {
    const maps = parseIdmap(fixture('idmap-mapped.txt'));
    assert.equal(hostIdOf(maps, 'u', 0), 200000);
    assert.equal(hostIdOf(maps, 'u', 1000), 201000);
    assert.equal(hostIdOf(maps, 'g', 65535), 265535);
    assert.equal(hostIdOf(maps, 'u', 65536), null);
  });

  test('rejects an entry of another shape, quoting the output', () => {
    assert.throws(() => parseIdmap('lxc.idmap = u 0 -1 65536\n'), {
      name: 'LxcParseError',
      message:
        'lxc-info -c lxc.idmap: expected "u|g|b INSIDE OUTSIDE COUNT" lines, ' +
        'received "lxc.idmap = u 0 -1 65536\\n"',
    });
  });
});
