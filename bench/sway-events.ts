import { execFileSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SwayConnection } from '../src/sway/connection.js';
import { MESSAGE_TYPE } from '../src/sway/protocol.js';
import { subscribeReplySchema } from '../src/sway/schemas.js';
import { hashText, toDisplayText } from '../src/util/text.js';
import { startPanel, type PanelProcess } from '../scripts/harness/panel.js';
import { panelProcessPid } from '../scripts/harness/panel-process.js';
import { startSwaySession, type SwaySession } from '../scripts/harness/sway-session.js';
import { openTitleWindow, type TitleWindow } from '../scripts/harness/title-window.js';
import { formatTable, ms } from './stats.js';

/*
 * What a flood of Sway window events costs a bar, on real parts: a headless Sway, a real window
 * (scripts/harness/title-client.ts) setting its title in a loop, and the bar under test. First
 * 5,000 titles at 1,000 a second, then a burst of 10,000 as fast as Sway takes them; the same
 * for cexbar and for Waybar 0.9.17 with the same modules (workspaces, the focused window's
 * title, a clock). For cexbar it also times each event to the bar's redraw showing it: the bench
 * has its own subscription to Sway's window events, and the panel, run with
 * CEXBAR_TRACE_REDRAWS=1, logs each title it puts on the bar (as a hash) with the time. Waybar
 * has no such trace, so for both: CPU time and RSS. A measurement, never an assertion.
 * Run as root: node dist/bench/sway-events.js
 */

const PACED_COUNT = 5_000;
const PACED_RATE = 1_000;
const BURST_COUNT = 10_000;
const SETTLE_MS = 5_000;
const TITLE_MAX_LENGTH = 80;
const OUTPUT_DIR = join(__dirname, '..', '..', 'bench-output');
const OUTPUT_FILE = join(OUTPUT_DIR, 'sway-events.json');
// Linux's USER_HZ: /proc/PID/stat counts CPU time in these.
const CLOCK_TICKS_PER_SECOND = 100;

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Wall-clock milliseconds with a fraction, comparable with the panel's trace lines. */
const now = (): number => performance.timeOrigin + performance.now();

interface ProcessSample {
  cpuMs: number;
  rssKiB: number;
}

/** CPU time (user + system, all threads) and resident memory of a process, from /proc. */
function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, rssKiB };
}

/** Sway's window title events as the bench's own subscriber receives them. */
class TitleEvents {
  readonly arrivals: { title: string; at: number }[] = [];
  #connection: SwayConnection | null = null;

  async open(socketPath: string): Promise<void> {
    const connection = await SwayConnection.open(socketPath);
    this.#connection = connection;
    connection.onEvent((event) => {
      const at = now();
      if (event.name !== 'window') return;
      const body = JSON.parse(event.payload) as { change: string; container: { name?: string } };
      if (body.change === 'title') this.arrivals.push({ title: body.container.name ?? '', at });
    });
    connection.onLost(() => {
      console.error('bench: Sway dropped the bench subscriber; the latencies lack the rest');
    });
    const reply = await connection.request(
      MESSAGE_TYPE.SUBSCRIBE,
      JSON.stringify(['window']),
      subscribeReplySchema,
    );
    if (!reply.success) throw new Error('bench: Sway refused the window subscription');
  }

  close(): void {
    this.#connection?.close();
  }
}

/** The panel's trace lines: the hash of the title it showed and when. */
function readRedraws(log: string): { hash: string; at: number }[] {
  const redraws: { hash: string; at: number }[] = [];
  for (const match of log.matchAll(/redraw: window shows #([0-9a-f]{8}) at ([0-9.]+)/g)) {
    redraws.push({ hash: match[1] ?? '', at: Number(match[2]) });
  }
  return redraws;
}

/** Median and 99th percentile, nearest rank. */
function percentiles(samples: readonly number[]): { median: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { median: rank(50), p99: rank(99), n: sorted.length };
}

/**
 * For each title event, the time until the bar first showed that title or a later one of the
 * flood: what a user sees lag behind. Titles are `${prefix}${index}`.
 */
function latencies(
  arrivals: readonly { title: string; at: number }[],
  redraws: readonly { hash: string; at: number }[],
  prefix: string,
  count: number,
): number[] {
  const indexOfHash = new Map<string, number>();
  for (let index = 0; index < count; index += 1) {
    indexOfHash.set(hashText(toDisplayText(`${prefix}${index}`, TITLE_MAX_LENGTH)), index);
  }
  const shown = redraws
    .map((redraw) => ({ index: indexOfHash.get(redraw.hash), at: redraw.at }))
    .filter((redraw): redraw is { index: number; at: number } => redraw.index !== undefined);
  const result: number[] = [];
  for (const arrival of arrivals) {
    if (!arrival.title.startsWith(prefix)) continue;
    const index = Number(arrival.title.slice(prefix.length));
    const first = shown.find((redraw) => redraw.index >= index && redraw.at >= arrival.at);
    if (first !== undefined) result.push(first.at - arrival.at);
  }
  return result;
}

interface BarUnderTest {
  name: string;
  pid: number;
  /** Resolves once the bar shows `title` (cexbar), or after a fixed wait (Waybar). */
  waitForTitle(title: string): Promise<void>;
  /** Whether Sway dropped the bar's connection: its own words, or null. */
  dropped(): string | null;
  log(): string;
  stop(): Promise<void>;
}

async function startCexbar(session: SwaySession): Promise<BarUnderTest> {
  const panel: PanelProcess = await startPanel(session, {
    config: JSON.stringify({
      modules: ['workspaces', 'window', 'clock'],
      window: { maxLength: TITLE_MAX_LENGTH },
    }),
    env: { CEXBAR_TRACE_REDRAWS: '1' },
  });
  return {
    name: 'cexbar',
    pid: panelProcessPid(panel.process.pid ?? -1),
    waitForTitle: async (title) => {
      await panel.waitForState(
        `the title ${title}`,
        (state) => state.sway.focusedView?.title === title && state.redraws.pending === 0,
        60_000,
      );
    },
    dropped: () =>
      panel
        .log()
        .split('\n')
        .find((line) => line.includes('lost the connection')) ?? null,
    log: () => panel.log(),
    stop: () => panel.stop(),
  };
}

function waybarConfig(session: SwaySession): string {
  const dir = mkdtempSync(join(tmpdir(), 'cexbar-bench-waybar-'));
  const config = join(dir, 'config');
  writeFileSync(
    config,
    JSON.stringify({
      layer: 'top',
      position: 'top',
      height: 28,
      'modules-left': ['sway/workspaces'],
      'modules-center': ['sway/window'],
      'modules-right': ['clock'],
      'sway/window': { 'max-length': TITLE_MAX_LENGTH },
    }),
  );
  chownSync(dir, session.user.uid, session.user.gid);
  return config;
}

async function startWaybar(session: SwaySession): Promise<BarUnderTest> {
  if (!existsSync('/usr/bin/waybar')) {
    console.error('bench: installing waybar (apt-get install -y waybar), to compare with');
    execFileSync('apt-get', ['install', '-y', 'waybar'], { stdio: 'inherit' });
  }
  const child: ChildProcess = session.spawn(['waybar', '-c', waybarConfig(session)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 15_000;
  while (!/Bar configured/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`bench: waybar did not start:\n${output}`);
    }
    await sleep(50);
  }
  return {
    name: 'waybar 0.9.17',
    pid: child.pid ?? -1,
    // Waybar shows nothing a bench can read: give it the time cexbar needed, and more.
    waitForTitle: () => sleep(3_000),
    dropped: () => (child.exitCode === null ? null : `exited with ${child.exitCode}`),
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

interface Run {
  bar: string;
  paced: {
    count: number;
    perSecond: number;
    sentMs: number;
    cpuMs: number;
    rssBeforeKiB: number;
    eventToRedrawMs: { median: number; p99: number; n: number } | null;
    redraws: number | null;
  };
  burst: {
    count: number;
    sentMs: number;
    cpuMs: number;
    rssBeforeKiB: number;
    rssAfterKiB: number;
    rssSettledKiB: number;
  };
  dropped: string | null;
}

async function measureBar(
  session: SwaySession,
  window: TitleWindow,
  bar: BarUnderTest,
): Promise<Run> {
  console.error(`bench: ${bar.name}`);
  await session.swaymsg(`[pid=${window.pid}] focus`);
  await window.setTitle('warm-up');
  await bar.waitForTitle('warm-up');
  await sleep(1_000);

  const events = new TitleEvents();
  await events.open(session.env.SWAYSOCK);
  const beforePaced = sampleProcess(bar.pid);
  console.error(`bench: ${PACED_COUNT} titles at ${PACED_RATE}/s`);
  const paced = await window.paced(PACED_COUNT, 'paced ', PACED_RATE);
  await bar.waitForTitle(`paced ${PACED_COUNT - 1}`);
  const afterPaced = sampleProcess(bar.pid);
  events.close();
  const redraws = readRedraws(bar.log());
  const lags = latencies(events.arrivals, redraws, 'paced ', PACED_COUNT);

  await sleep(1_000);
  const beforeBurst = sampleProcess(bar.pid);
  console.error(`bench: ${BURST_COUNT} titles in a burst`);
  const burst = await window.flood(BURST_COUNT, 'burst ');
  await bar.waitForTitle(`burst ${BURST_COUNT - 1}`);
  const afterBurst = sampleProcess(bar.pid);
  await sleep(SETTLE_MS);
  const settled = sampleProcess(bar.pid);
  return {
    bar: bar.name,
    paced: {
      count: PACED_COUNT,
      perSecond: PACED_RATE,
      sentMs: paced.ms,
      cpuMs: afterPaced.cpuMs - beforePaced.cpuMs,
      rssBeforeKiB: beforePaced.rssKiB,
      eventToRedrawMs: lags.length === 0 ? null : percentiles(lags),
      redraws: redraws.length === 0 ? null : redraws.length,
    },
    burst: {
      count: BURST_COUNT,
      sentMs: burst.ms,
      cpuMs: afterBurst.cpuMs - beforeBurst.cpuMs,
      rssBeforeKiB: beforeBurst.rssKiB,
      rssAfterKiB: afterBurst.rssKiB,
      rssSettledKiB: settled.rssKiB,
    },
    dropped: bar.dropped(),
  };
}

function printTable(runs: readonly Run[]): void {
  const cell = (value: number | null | undefined, format = ms): string =>
    value === null || value === undefined ? '-' : format(value);
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const rows = (
    [
      ['paced: event -> redraw, median (ms)', (run) => cell(run.paced.eventToRedrawMs?.median)],
      ['paced: event -> redraw, p99 (ms)', (run) => cell(run.paced.eventToRedrawMs?.p99)],
      ['paced: redraws of the title', (run) => cell(run.paced.redraws, String)],
      ['paced: CPU time (ms)', (run) => ms(run.paced.cpuMs)],
      ['paced: RSS before (MiB)', (run) => mib(run.paced.rssBeforeKiB)],
      ['burst: sent in (ms)', (run) => ms(run.burst.sentMs)],
      ['burst: CPU time (ms)', (run) => ms(run.burst.cpuMs)],
      ['burst: RSS before (MiB)', (run) => mib(run.burst.rssBeforeKiB)],
      ['burst: RSS after (MiB)', (run) => mib(run.burst.rssAfterKiB)],
      [`burst: RSS ${SETTLE_MS / 1000} s later (MiB)`, (run) => mib(run.burst.rssSettledKiB)],
      ['dropped by Sway', (run) => (run.dropped === null ? 'no' : 'yes')],
    ] as [string, (run: Run) => string][]
  ).map(([what, value]) => [what, ...runs.map(value)]);
  const title =
    `${PACED_COUNT} titles at ${PACED_RATE}/s, then ${BURST_COUNT} in a burst, ` +
    `${cpus().length} cores`;
  console.log(`${title}\n\n${formatTable(['', ...runs.map((run) => run.bar)], rows)}`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench: run me as root (the desktop user)');
  const session = await startSwaySession();
  const runs: Run[] = [];
  try {
    const window = await openTitleWindow(session, { title: 'bench' });
    for (const start of [startCexbar, startWaybar]) {
      const bar = await start(session);
      try {
        runs.push(await measureBar(session, window, bar));
      } finally {
        await bar.stop();
      }
    }
    await window.close();
  } finally {
    await session.stop();
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, kernel: release(), node: process.version },
    runs,
  };
  writeFileSync(OUTPUT_FILE, JSON.stringify(results, null, 2) + '\n');
  printTable(runs);
  for (const run of runs) {
    if (run.dropped !== null) console.error(`bench: ${run.bar}: ${run.dropped}`);
  }
  console.error(`bench: wrote ${OUTPUT_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
