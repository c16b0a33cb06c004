import { log } from '../util/log.js';
import { isValidContainerName } from './names.js';

/*
 * Pure parsers of what lxc-* programs print (LXC 5 has no JSON output). No I/O here: the tests
 * feed them outputs recorded from real containers (test/fixtures/lxc/).
 */

/** The columns cexbar asks lxc-ls --fancy for, in this order. */
export const LIST_COLUMNS = ['NAME', 'STATE', 'IPV4'] as const;

export interface LxcListEntry {
  name: string;
  state: string;
  ipv4: string[];
}

export type LxcMonitorEvent =
  { kind: 'state'; name: string; state: string } | { kind: 'exit'; name: string; status: number };

/** Output of an lxc-* program that does not have the shape its parser expects. */
export class LxcParseError extends Error {
  constructor(what: string, expected: string, received: string) {
    super(`${what}: expected ${expected}, received ${JSON.stringify(received.slice(0, 200))}`);
    this.name = 'LxcParseError';
  }
}

interface Column {
  title: string;
  start: number;
  end: number;
}

/**
 * Column positions from the header line. Values may hold spaces ("10.0.0.3, 10.0.0.4"), so a
 * row is cut where the header's titles start, not split on blanks.
 */
function columnsOf(header: string): Column[] {
  const starts = [...header.matchAll(/\S+/g)];
  return starts.map((match, index) => ({
    title: match[0],
    start: match.index,
    end: starts[index + 1]?.index ?? Infinity,
  }));
}

function cellsOf(row: string, columns: Column[]): Map<string, string> {
  return new Map(
    columns.map((column) => [column.title, row.slice(column.start, column.end).trim()]),
  );
}

/** A cell that may list several values separated by ", "; "-" means none. */
function listCell(cell: string | undefined): string[] {
  if (cell === undefined || cell === '' || cell === '-') return [];
  return cell.split(/,\s*/).filter((value) => value !== '' && value !== '-');
}

/** Parses `lxc-ls --fancy -F NAME,STATE,IPV4` (other columns are ignored). */
export function parseFancyList(output: string): LxcListEntry[] {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const [header, ...rows] = lines;
  // An empty (or filtered to nothing) listing prints no header at all.
  if (header === undefined) return [];
  const columns = columnsOf(header);
  for (const title of ['NAME', 'STATE']) {
    if (!columns.some((column) => column.title === title)) {
      throw new LxcParseError('lxc-ls --fancy header', `a ${title} column`, header);
    }
  }
  return rows.flatMap((row) => entryOf(cellsOf(row, columns)) ?? []);
}

function entryOf(cells: Map<string, string>): LxcListEntry | null {
  const name = cells.get('NAME') ?? '';
  if (!isValidContainerName(name)) {
    log.debug(
      'containers',
      `lxc-ls: skipped a container with an invalid name ${JSON.stringify(name)}`,
    );
    return null;
  }
  return { name, state: cells.get('STATE') ?? '', ipv4: listCell(cells.get('IPV4')) };
}

/** Parses `lxc-info -sH`: the bare state, such as RUNNING. */
export function parseInfoState(output: string): string {
  const state = output.trim();
  if (!/^[A-Z]+$/.test(state)) {
    throw new LxcParseError('lxc-info -sH', 'a bare state such as RUNNING', output);
  }
  return state;
}

const STATE_LINE = /^'(.*)' changed state to \[([A-Z]+)\]$/;
const EXIT_LINE = /^'(.*)' exited with status \[(-?\d+)\]$/;

/** Parses one line of `lxc-monitor`; null for a line it does not know or an invalid name. */
export function parseMonitorLine(line: string): LxcMonitorEvent | null {
  const state = STATE_LINE.exec(line);
  const exit = EXIT_LINE.exec(line);
  const event: LxcMonitorEvent | null =
    state !== null
      ? { kind: 'state', name: state[1] ?? '', state: state[2] ?? '' }
      : exit !== null
        ? { kind: 'exit', name: exit[1] ?? '', status: Number(exit[2]) }
        : null;
  if (event === null) {
    log.debug('containers', `lxc-monitor: skipped an unknown line ${JSON.stringify(line)}`);
    return null;
  }
  if (!isValidContainerName(event.name)) {
    log.debug('containers', `lxc-monitor: skipped an invalid name ${JSON.stringify(event.name)}`);
    return null;
  }
  return event;
}

// lxc-start's log format: "lxc-start NAME 20261203225856.101 ERROR    network - FILE:FN:LINE - MSG"
const LOG_ERROR_LINE = /^\S+ \S+ \d+\.\d+ ERROR\s+\S+ - \S+:\d+ - (.+)$/;
// The tool's own stderr format: "lxc-start: NAME: FILE: FN: LINE MESSAGE"
const TOOL_ERROR_LINE = /^lxc-[a-z]+: [^:]+: \S+: \S+: \d+ (.+)$/;

/**
 * The root cause in what `lxc-start -o /dev/stderr -l ERROR` printed: LXC logs the cause
 * first and then every caller's complaint ("The container failed to start"...).
 */
export function parseLxcStartReason(output: string): string | null {
  const lines = output.split('\n');
  for (const pattern of [LOG_ERROR_LINE, TOOL_ERROR_LINE]) {
    for (const line of lines) {
      const reason = pattern.exec(line.trim())?.[1];
      if (reason !== undefined) return reason;
    }
  }
  return null;
}

/** What `lxc-info -H` says about one container; numbers are null when it does not say. */
export interface LxcInfo {
  state: string;
  /** The container's init on the host; null when it is not running. */
  pid: number | null;
  /** Every IP: line, IPv4 and IPv6 alike, in lxc-info's order. */
  addresses: string[];
  memoryBytes: number | null;
  /** CPU time used so far, in nanoseconds. */
  cpuNanoseconds: number | null;
}

const INFO_LINE = /^(\S[^:]*):\s*(.*)$/;

/**
 * Parses `lxc-info -H` (raw numbers). Lines are "Key: value"; indented lines belong to the
 * network link above them and are not needed.
 */
export function parseInfo(output: string): LxcInfo {
  const fields = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const match = INFO_LINE.exec(line);
    if (match === null) continue;
    const [, key = '', value = ''] = match;
    fields.set(key, [...(fields.get(key) ?? []), value.trim()]);
  }
  const state = fields.get('State')?.[0];
  if (state === undefined || !/^[A-Z]+$/.test(state)) {
    throw new LxcParseError('lxc-info -H', 'a "State:" line such as RUNNING', output);
  }
  return {
    state,
    pid: wholeNumber(fields.get('PID')?.[0]),
    addresses: fields.get('IP') ?? [],
    memoryBytes: wholeNumber(fields.get('Memory use')?.[0]),
    cpuNanoseconds: wholeNumber(fields.get('CPU use')?.[0]),
  };
}

function wholeNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/** One `lxc.idmap` entry: ids INSIDE.. of the container are OUTSIDE.. on the host. */
export interface IdmapEntry {
  /** u: user ids, g: group ids, b: both. */
  kind: 'u' | 'g' | 'b';
  inside: number;
  outside: number;
  count: number;
}

const IDMAP_LINE = /^([ugb]) (\d+) (\d+) (\d+)$/;

/**
 * Parses `lxc-info -c lxc.idmap`: "lxc.idmap = u 0 200000 65536" with each further entry on a
 * line of its own ("g 0 200000 65536"); a bare "lxc.idmap =" when the container has none.
 */
export function parseIdmap(output: string): IdmapEntry[] {
  if (!output.startsWith('lxc.idmap =')) {
    throw new LxcParseError('lxc-info -c lxc.idmap', '"lxc.idmap = ..."', output);
  }
  const entries: IdmapEntry[] = [];
  for (const line of output.slice('lxc.idmap ='.length).split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const match = IDMAP_LINE.exec(text);
    if (match === null) {
      throw new LxcParseError(
        'lxc-info -c lxc.idmap',
        '"u|g|b INSIDE OUTSIDE COUNT" lines',
        output,
      );
    }
    const [, kind, inside, outside, count] = match as unknown as [
      string,
      'u',
      string,
      string,
      string,
    ];
    entries.push({ kind, inside: Number(inside), outside: Number(outside), count: Number(count) });
  }
  return entries;
}

/** The host id of a container's user (u) or group (g) id; without maps, the id itself. */
export function hostIdOf(
  entries: readonly IdmapEntry[],
  kind: 'u' | 'g',
  id: number,
): number | null {
  if (!entries.some((entry) => entry.kind === kind || entry.kind === 'b')) return id;
  for (const entry of entries) {
    if (entry.kind !== kind && entry.kind !== 'b') continue;
    if (id >= entry.inside && id < entry.inside + entry.count)
      return entry.outside + id - entry.inside;
  }
  return null;
}
