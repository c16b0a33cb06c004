import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { ContainersState, SessionState } from '../../src/containers/container-state.js';
import { labelColourOf } from '../../src/containers/label-colours.js';
import {
  WindowOwners,
  allWindows,
  containerOfCgroup,
  readProcCgroup,
} from '../../src/containers/window-owners.js';
import type { SwayViewState } from '../../src/sway/state.js';
import { Observable } from '../../src/util/observable.js';
import { createLxcSandbox } from '../../scripts/harness/lxc.js';
import { readFixtureText } from '../helpers/fixtures.js';

function fixture(name: string): string {
  return readFixtureText('proc', name);
}

class Source<T> extends Observable<T> {
  update(next: T): void {
    this.set(next);
  }
}

function view(id: number, pid: number | null, title = `window ${id}`): SwayViewState {
  return {
    id,
    pid,
    title,
    appId: null,
    workspace: '1',
    output: 'HEADLESS-1',
    focused: false,
    urgent: false,
  };
}

function session(pid: number, status: SessionState['status'] = 'running'): SessionState {
  return { type: 'weston', pid, status, windowId: null, socketDir: '/tmp/x', exitReason: null };
}

function containers(entries: [string, SessionState | null][]): ContainersState {
  return {
    lxcPath: '/var/lib/lxc',
    listed: true,
    error: null,
    containers: entries.map(([name, running]) => ({
      name,
      state: 'RUNNING',
      configured: true,
      ipv4: [],
      session: { type: 'none' },
      task: null,
      error: null,
      running,
      hasTerminal: false,
    })),
  };
}

/** Owners over fake sources, with a cgroup reader that records every PID it is asked for. */
function ownersOf(views: SwayViewState[], state: ContainersState, cgroups: Map<number, string>) {
  const sway = new Source({ views });
  const lxc = new Source(state);
  const reads: number[] = [];
  const owners = new WindowOwners({
    sway,
    containers: lxc,
    colourOf: (name) => labelColourOf(name, name === 'bank' ? 'black' : undefined),
    readCgroup: (pid) => {
      reads.push(pid);
      return cgroups.get(pid) ?? null;
    },
  });
  return { owners, sway, lxc, reads };
}

test('a process attached to a container is found by its recorded cgroup', () => {
  assert.equal(containerOfCgroup(fixture('cgroup-attached.txt')), 'probe');
  assert.equal(containerOfCgroup(fixture('cgroup-init.txt')), 'probe');
});

test("a host process and LXC's own monitor belong to no container", () => {
  assert.equal(containerOfCgroup(fixture('cgroup-host.txt')), null);
  assert.equal(containerOfCgroup(fixture('cgroup-monitor.txt')), null);
  assert.equal(containerOfCgroup(''), null);
});

test('a name after lxc.payload. that cexbar would refuse names no container', () => {
  assert.equal(containerOfCgroup('0::/lxc.payload.-rf\n'), null);
  assert.equal(
    containerOfCgroup('0::/user.slice/lxc.payload.work.banking-2/init.scope\n'),
    'work.banking-2',
  );
});

test('windows are owned by cgroup, then by session PID, else by the host', () => {
  const cgroups = new Map([[301, fixture('cgroup-attached.txt').replace(/probe/g, 'work')]]);
  const { owners } = ownersOf(
    [view(1, 100), view(2, 200), view(3, 301), view(4, null)],
    containers([
      ['bank', session(200)],
      ['work', session(100)],
    ]),
    cgroups,
  );
  assert.deepEqual(
    owners.state.groups.map((group) => [
      group.owner,
      group.colour,
      group.windows.map((window) => [window.id, window.ownedBy]),
    ]),
    [
      ['bank', 'black', [[2, 'session']]],
      [
        'work',
        labelColourOf('work'),
        [
          [1, 'session'],
          [3, 'cgroup'],
        ],
      ],
      [null, null, [[4, 'host']]],
    ],
  );
});

test("an exited session's PID no longer owns a window", () => {
  const { owners } = ownersOf(
    [view(1, 100)],
    containers([['work', session(100, 'exited')]]),
    new Map(),
  );
  assert.deepEqual(
    allWindows(owners.state).map((window) => [window.id, window.owner]),
    [[1, null]],
  );
});

test('a container not on the bar still gets its group, after the listed ones', () => {
  const cgroups = new Map([
    [10, '0::/lxc.payload.zeta\n'],
    [11, '0::/lxc.payload.alpha\n'],
  ]);
  const { owners } = ownersOf(
    [view(1, 10), view(2, 11), view(3, 12)],
    containers([['work', null]]),
    cgroups,
  );
  assert.deepEqual(
    owners.state.groups.map((group) => group.owner),
    ['alpha', 'zeta', null],
  );
});

test('/proc is read again only for a view whose PID changed', () => {
  const { sway, reads, owners } = ownersOf([view(1, 10), view(2, 20)], containers([]), new Map());
  assert.deepEqual(reads, [10, 20]);
  sway.update({ views: [view(1, 10, 'a new title'), view(2, 20)] });
  sway.update({ views: [view(1, 10, 'a new title'), view(2, 21)] });
  assert.deepEqual(reads, [10, 20, 21]);
  // A closed view is forgotten: its con_id coming back is read afresh.
  sway.update({ views: [view(2, 21)] });
  sway.update({ views: [view(1, 10), view(2, 21)] });
  assert.deepEqual(reads, [10, 20, 21, 10]);
  owners.close();
});

test('the state emits only when an owner, a group or a window really changed', () => {
  const { sway, lxc, owners } = ownersOf([view(1, 100)], containers([['work', null]]), new Map());
  const seen: string[] = [];
  owners.subscribe((state) => {
    seen.push(
      state.groups.map((group) => `${group.owner ?? 'host'}:${group.windows.length}`).join(),
    );
  });
  lxc.update(containers([['work', null]]));
  sway.update({ views: [view(1, 100)] });
  assert.deepEqual(seen, []);
  lxc.update(containers([['work', session(100)]]));
  assert.deepEqual(seen, ['work:1']);
  owners.close();
  lxc.update(containers([['work', null]]));
  assert.deepEqual(seen, ['work:1']);
});

const sandbox = createLxcSandbox();
after(() => sandbox.destroy());

test('a real process attached to a real container is owned by that container', async () => {
  await sandbox.create('owner-probe');
  await sandbox.start('owner-probe');
  const child = spawn(
    'lxc-attach',
    ['-P', sandbox.path, '-n', 'owner-probe', '--', 'sleep', '30'],
    {
      stdio: 'ignore',
    },
  );
  try {
    // lxc-attach forks: the sleep is its child, moved into the container's cgroup.
    let owner: string | null = null;
    for (let attempt = 0; attempt < 50 && owner === null; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      const pid = Number(children.split(' ')[0]);
      if (pid > 0) owner = containerOfCgroup(readProcCgroup(pid) ?? '');
    }
    assert.equal(owner, 'owner-probe');
    assert.equal(containerOfCgroup(readProcCgroup(process.pid) ?? ''), null);
  } finally {
    child.kill('SIGKILL');
  }
});
