import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { LXC_HELPER } from '../src/containers/command-runner.js';
import type { PanelSnapshot } from '../src/panel/snapshot.js';
import { createLxcSandbox, type LxcSandbox } from '../scripts/harness/lxc.js';
import { startPanel, type PanelProcess } from '../scripts/harness/panel.js';
import { startSwaySession, type SwaySession } from '../scripts/harness/sway-session.js';
import { countEvents, traceProcesses, type ProcessEvent } from './process-trace.js';
import { formatTable, ms, summarize, type Summary } from './stats.js';

/*
 * What one container state change costs the panel, measured on real parts: 50 busybox
 * containers in a harness LXC path, the real panel in a headless Sway, and the bench changing a
 * container's state from outside (lxc-start, lxc-stop -k) as another program would. Prints a
 * table and writes bench-output/containers.json. A measurement, never an assertion: it fails
 * only when something does not work at all. Run as root: node dist/bench/containers.js
 */

const CONTAINERS = 50;
const CHANGES = 10;
// lxc-ls forks three times per running container: `--running N` keeps N others running.
const RUNNING = runningOption(process.argv.slice(2));
// The control socket has requests and replies only, no subscription: the bench polls.
const POLL_INTERVAL_MS = 10;
// After the panel shows a change, the listings still queued behind it finish in this time.
const SETTLE_MS = 1_500;
const CHANGE_TIMEOUT_MS = 15_000;
const OUTPUT_DIR = join(__dirname, '..', '..', 'bench-output');
const OUTPUT_FILE = join(
  OUTPUT_DIR,
  RUNNING === 0 ? 'containers.json' : `containers-running-${RUNNING}.json`,
);

const run = promisify(execFile);
const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

type ChangeKind = 'start' | 'kill';

const CHANGE: Record<ChangeKind, { argv: (name: string) => string[]; state: string }> = {
  start: { argv: (name) => ['lxc-start', '-n', name], state: 'RUNNING' },
  kill: { argv: (name) => ['lxc-stop', '-k', '-n', name], state: 'STOPPED' },
};

interface ChangeTiming {
  /** From spawning the lxc-* command to the panel's state showing the new state. */
  shownMs: number;
  /** From the lxc-* command's exit to the panel's state showing it (negative: shown earlier). */
  shownAfterExitMs: number;
  /** The lxc-* command's own run time. */
  commandMs: number;
  /** Wall-clock bounds of the change, settle time included (for the process trace). */
  from: number;
  to: number;
}

interface Parts {
  lxc: LxcSandbox | null;
  session: SwaySession | null;
  panel: PanelProcess | null;
}

function stateOf(snapshot: PanelSnapshot, name: string): string | undefined {
  return snapshot.containers.containers.find((container) => container.name === name)?.state;
}

/** Polls the panel until `name` shows `state`; resolves with the performance.now() it did. */
async function waitUntilShown(panel: PanelProcess, name: string, state: string): Promise<number> {
  const deadline = performance.now() + CHANGE_TIMEOUT_MS;
  for (;;) {
    const snapshot = await panel.state();
    const seen = performance.now();
    if (stateOf(snapshot, name) === state) return seen;
    if (seen > deadline) {
      throw new Error(
        `bench: the panel did not show ${name} ${state} within ${CHANGE_TIMEOUT_MS} ms`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Changes one container's state from outside and times until the panel shows it. */
async function timeChange(
  parts: { lxc: LxcSandbox; panel: PanelProcess },
  kind: ChangeKind,
  name: string,
): Promise<ChangeTiming> {
  const from = Date.now();
  const spawned = performance.now();
  const shown = waitUntilShown(parts.panel, name, CHANGE[kind].state);
  // A failed lxc-* command rejects first; the poll's own timeout then has no one to tell.
  shown.catch(() => undefined);
  const [program = '', ...args] = CHANGE[kind].argv(name);
  await parts.lxc.lxc(program, ...args);
  const exited = performance.now();
  const seen = await shown;
  await sleep(SETTLE_MS);
  return {
    shownMs: seen - spawned,
    shownAfterExitMs: seen - exited,
    commandMs: exited - spawned,
    from,
    to: Date.now(),
  };
}

/** CHANGES starts and kills, each of another container (they all begin stopped). */
async function timeChanges(
  parts: { lxc: LxcSandbox; panel: PanelProcess },
  firstContainer: number,
): Promise<Record<ChangeKind, ChangeTiming[]>> {
  const timings: Record<ChangeKind, ChangeTiming[]> = { start: [], kill: [] };
  for (let index = 0; index < CHANGES; index += 1) {
    const name = containerName(firstContainer + index);
    timings.start.push(await timeChange(parts, 'start', name));
    timings.kill.push(await timeChange(parts, 'kill', name));
  }
  return timings;
}

/** `--running N`: how many containers run beside the ones the bench changes (0 to 30). */
function runningOption(args: readonly string[]): number {
  if (args.length === 0) return 0;
  const [flag, value = ''] = args;
  const count = Number(value);
  if (
    flag !== '--running' ||
    args.length !== 2 ||
    !Number.isInteger(count) ||
    count < 0 ||
    count > 30
  ) {
    throw new Error(
      `bench: usage: containers.js [--running N], N from 0 to 30 (received ${args.join(' ')})`,
    );
  }
  return count;
}

function containerName(index: number): string {
  return `bench-${String(index).padStart(2, '0')}`;
}

/** Times one command CHANGES times. */
async function timeCommand(
  file: string,
  args: string[],
  options: { uid?: number; gid?: number } = {},
): Promise<Summary> {
  const samples: number[] = [];
  for (let index = 0; index < CHANGES; index += 1) {
    const started = performance.now();
    await run(file, args, { ...options, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

interface Floor {
  /** One `state` request on the control socket: the resolution of the polling. */
  stateRequest: Summary;
  lxcLsFancy: Summary;
  lxcLsPanelColumns: Summary;
  helperList: Summary;
}

/** The floor: one listing, as lxc-ls alone and as the panel's whole chain of programs. */
async function timeListings(
  lxc: LxcSandbox,
  session: SwaySession,
  panel: PanelProcess,
): Promise<Floor> {
  const user = { uid: session.user.uid, gid: session.user.gid };
  const stateRequests: number[] = [];
  for (let index = 0; index < CHANGES; index += 1) {
    const started = performance.now();
    await panel.state();
    stateRequests.push(performance.now() - started);
  }
  return {
    stateRequest: summarize(stateRequests),
    lxcLsFancy: await timeCommand('lxc-ls', ['-P', lxc.path, '--fancy']),
    lxcLsPanelColumns: await timeCommand('lxc-ls', [
      '-P',
      lxc.path,
      '--fancy',
      '-F',
      'NAME,STATE,IPV4',
    ]),
    helperList: await timeCommand('sudo', ['-n', LXC_HELPER, 'list', lxc.path], user),
  };
}

/** The panel's PID is the one setpriv and env exec'd into: check that it runs node. */
function panelPid(panel: PanelProcess): number {
  const pid = panel.process.pid;
  const argv = pid === undefined ? [] : readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (pid === undefined || !argv.some((arg) => arg.endsWith('/cli/main.js'))) {
    throw new Error(`bench: process ${pid} is not the panel (${argv.join(' ')})`);
  }
  return pid;
}

/** The process counts of each change, from the trace's events inside its time bounds. */
function countPerChange(events: readonly ProcessEvent[], timings: readonly ChangeTiming[]) {
  return timings.map((timing) =>
    countEvents(
      events.filter((event) => event.time * 1000 >= timing.from && event.time * 1000 < timing.to),
    ),
  );
}

/** The same changes again, on other containers, with strace counting the panel's processes. */
async function traceChanges(parts: { lxc: LxcSandbox; panel: PanelProcess }) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const trace = await traceProcesses(panelPid(parts.panel), join(OUTPUT_DIR, 'strace.tmp'));
  const timings = await timeChanges(parts, CHANGES).catch(async (error: unknown) => {
    await trace.stop();
    throw error;
  });
  const events = await trace.stop();
  return {
    start: countPerChange(events, timings.start),
    kill: countPerChange(events, timings.kill),
  };
}

async function prepare(
  parts: Parts,
): Promise<{ lxc: LxcSandbox; panel: PanelProcess; session: SwaySession }> {
  const lxc = createLxcSandbox('cexbar-bench-');
  parts.lxc = lxc;
  const created = performance.now();
  for (let index = 0; index < CONTAINERS; index += 1) await lxc.create(containerName(index));
  console.error(
    `bench: created ${CONTAINERS} containers in ${ms((performance.now() - created) / 1000)} s`,
  );
  const session = await startSwaySession();
  parts.session = session;
  const panel = await startPanel(session, {
    config: JSON.stringify({ containers: { lxcPath: lxc.path } }),
    env: { CEXBAR_LOG: 'info' },
  });
  parts.panel = panel;
  // The last containers: the changes use the first 2 * CHANGES.
  for (let index = CONTAINERS - RUNNING; index < CONTAINERS; index += 1) {
    await lxc.start(containerName(index));
  }
  await panel.waitForState(
    `${CONTAINERS} containers listed`,
    (state) =>
      state.containers.listed &&
      state.containers.containers.length === CONTAINERS &&
      state.containers.containers.filter((container) => container.state === 'RUNNING').length ===
        RUNNING,
  );
  return { lxc, panel, session };
}

type Counts = ReturnType<typeof countEvents>;

/** Every program started over the changes, with how often per change. */
function programsPerChange(counts: readonly Counts[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts) {
    for (const [program, times] of Object.entries(count.programs)) {
      total[program] = (total[program] ?? 0) + times;
    }
  }
  return Object.fromEntries(
    Object.entries(total).map(([program, times]) => [program, times / counts.length]),
  );
}

function summarizeCounts(counts: readonly Counts[]) {
  return {
    processes: summarize(counts.map((count) => count.processes)),
    execs: summarize(counts.map((count) => count.execs)),
    lxcLsRuns: summarize(counts.map((count) => count.programs['/usr/bin/lxc-ls'] ?? 0)),
    programsPerChange: programsPerChange(counts),
  };
}

function summarizeTimings(timings: readonly ChangeTiming[]) {
  return {
    shownMs: summarize(timings.map((timing) => timing.shownMs)),
    shownAfterExitMs: summarize(timings.map((timing) => timing.shownAfterExitMs)),
    commandMs: summarize(timings.map((timing) => timing.commandMs)),
  };
}

type Results = Awaited<ReturnType<typeof measure>>;

async function measure(parts: Parts) {
  const { lxc, panel, session } = await prepare(parts);
  console.error('bench: timing listings');
  const floor = await timeListings(lxc, session, panel);
  console.error(`bench: timing ${CHANGES} starts and kills`);
  const timings = await timeChanges({ lxc, panel }, 0);
  console.error(`bench: counting processes over ${CHANGES} more starts and kills (strace)`);
  const counts = await traceChanges({ lxc, panel });
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, kernel: release(), node: process.version },
    containers: CONTAINERS,
    running: RUNNING,
    changes: CHANGES,
    pollIntervalMs: POLL_INTERVAL_MS,
    settleMs: SETTLE_MS,
    floor,
    latency: { start: summarizeTimings(timings.start), kill: summarizeTimings(timings.kill) },
    processes: { start: summarizeCounts(counts.start), kill: summarizeCounts(counts.kill) },
  };
}

function printTable(results: Results): void {
  const row = (what: string, summary: Summary, format = ms): string[] => [
    what,
    format(summary.median),
    format(summary.max),
  ];
  const count = (value: number): string => String(value);
  const { floor, latency, processes } = results;
  const rows = [
    row("one 'state' request on the control socket (ms)", floor.stateRequest),
    row('lxc-ls --fancy, as root (ms)', floor.lxcLsFancy),
    row('lxc-ls --fancy -F NAME,STATE,IPV4, as root (ms)', floor.lxcLsPanelColumns),
    row("sudo -n helper list, the panel's listing (ms)", floor.helperList),
    row('lxc-start -> panel shows RUNNING (ms)', latency.start.shownMs),
    row('  of which after lxc-start exited (ms)', latency.start.shownAfterExitMs),
    row('lxc-stop -k -> panel shows STOPPED (ms)', latency.kill.shownMs),
    row('  of which after lxc-stop exited (ms)', latency.kill.shownAfterExitMs),
    row('processes created per lxc-start', processes.start.processes, count),
    row("programs exec'd per lxc-start", processes.start.execs, count),
    row('  of which lxc-ls', processes.start.lxcLsRuns, count),
    row('processes created per lxc-stop -k', processes.kill.processes, count),
    row("programs exec'd per lxc-stop -k", processes.kill.execs, count),
  ];
  const title = `${results.containers} containers (${results.running} others running), ${results.changes} changes each, ${results.machine.cpus} cores`;
  console.log(`${title}\n\n${formatTable(['', 'median', 'max'], rows)}`);
}

/** Stops what was started, in reverse order; each step runs even when the one before failed. */
async function cleanUp(parts: Parts): Promise<void> {
  const { panel, session, lxc } = parts;
  const steps = [() => panel?.stop(), () => session?.stop(), () => lxc?.destroy()];
  parts.panel = parts.session = parts.lxc = null;
  for (const step of steps) {
    await Promise.resolve(step()).catch((error: unknown) => {
      console.error(`bench: clean-up failed (${String(error)})`);
    });
  }
}

// Set by SIGINT or SIGTERM: the clean-up then pulls the parts from under the measurement.
let interrupted = false;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('bench: run me as root (LXC containers and the desktop user need it)');
  }
  const parts: Parts = { lxc: null, session: null, panel: null };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`bench: ${signal}: cleaning up`);
      void cleanUp(parts).finally(() => process.exit(1));
    });
  }
  try {
    const results = await measure(parts);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(OUTPUT_FILE, JSON.stringify(results, null, 2) + '\n');
    printTable(results);
    console.error(`bench: wrote ${OUTPUT_FILE}`);
  } finally {
    await cleanUp(parts);
  }
}

main().catch((error: unknown) => {
  if (interrupted) return;
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
