import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

/*
 * Counts the processes a running program starts, with strace attached to it (-f follows every
 * child, grandchild and thread from the moment of attaching). Sampling /proc for new PIDs misses
 * a process that lives a few milliseconds (lxc-ls does), strace sees every fork and execve.
 * Attaching with -p cannot use strace's seccomp filter, so the traced program stops at every
 * system call: its timings are not worth reading while traced, only its process counts.
 */

/** One successful process creation or program start in the traced tree. */
export interface ProcessEvent {
  /** Seconds since the epoch, as strace -ttt prints it (the same clock as Date.now()). */
  time: number;
  kind: 'fork' | 'exec';
  pid: number;
  /** The new process's PID for a fork; the program's path for an exec. */
  detail: string;
}

export interface ProcessTrace {
  /** Detaches strace and returns everything it saw. */
  stop(): Promise<ProcessEvent[]>;
}

const SYSCALLS = 'execve,fork,vfork,clone,clone3';
const FORKS = new Set(['fork', 'vfork', 'clone', 'clone3']);
const ATTACH_TIMEOUT_MS = 10_000;

/** Attaches strace to `pid` and its future children; resolves once it is attached. */
export async function traceProcesses(pid: number, outputFile: string): Promise<ProcessTrace> {
  const args = ['-f', '-ttt', '-e', `trace=${SYSCALLS}`, '-e', 'signal=none', '-o', outputFile];
  const strace = spawn('strace', [...args, '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => strace.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`process trace: strace did not attach to ${pid}: ${stderr.trim()}`));
    }, ATTACH_TIMEOUT_MS);
    strace.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!stderr.includes('attached')) return;
      clearTimeout(timer);
      resolve();
    });
    strace.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process trace: strace exited with code ${code}: ${stderr.trim()}`));
    });
  });
  return {
    stop: async () => {
      strace.kill('SIGTERM');
      await exited;
      const events = parseStrace(readFileSync(outputFile, 'utf8'));
      rmSync(outputFile, { force: true });
      return events;
    },
  };
}

/**
 * Reads strace -f -ttt output. A call that another thread interrupts is printed in two lines,
 * `NAME(args <unfinished ...>` and `<... NAME resumed>rest) = RESULT`: they are joined by PID.
 */
export function parseStrace(text: string): ProcessEvent[] {
  const pending = new Map<number, { time: number; call: string }>();
  const events: ProcessEvent[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    let time = Number(match[2]);
    let call = match[3] ?? '';
    if (call.endsWith('<unfinished ...>')) {
      pending.set(pid, { time, call: call.slice(0, -'<unfinished ...>'.length) });
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(call);
    if (resumed !== null) {
      const start = pending.get(pid);
      pending.delete(pid);
      if (start === undefined) continue;
      time = start.time;
      call = start.call + (resumed[1] ?? '');
    }
    const event = eventOf(pid, time, call);
    if (event !== null) events.push(event);
  }
  return events;
}

function eventOf(pid: number, time: number, call: string): ProcessEvent | null {
  const parts = /^(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(call);
  if (parts === null) return null;
  const [, name = '', args = '', result = ''] = parts;
  if (name === 'execve' && result === '0') {
    return { time, kind: 'exec', pid, detail: /^"([^"]*)"/.exec(args)?.[1] ?? '?' };
  }
  // A new thread of the same process is not a new process.
  if (FORKS.has(name) && Number(result) > 0 && !args.includes('CLONE_THREAD')) {
    return { time, kind: 'fork', pid, detail: result };
  }
  return null;
}

/** How many processes were created and programs started, with each program's count. */
export function countEvents(events: readonly ProcessEvent[]): {
  processes: number;
  execs: number;
  programs: Record<string, number>;
} {
  const programs: Record<string, number> = {};
  for (const event of events) {
    if (event.kind === 'exec') programs[event.detail] = (programs[event.detail] ?? 0) + 1;
  }
  return {
    processes: events.filter((event) => event.kind === 'fork').length,
    execs: events.filter((event) => event.kind === 'exec').length,
    programs,
  };
}
