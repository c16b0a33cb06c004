import { readFileSync } from 'node:fs';

/*
 * `cexbar run` is a supervisor without GTK; the bar itself is its child `cexbar panel`. What a
 * test or a benchmark measures about the bar (memory, CPU time) is that child's.
 */

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

function argvOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

/** The PID of the `cexbar panel` process under the supervisor `supervisorPid`. */
export function panelProcessPid(supervisorPid: number): number {
  const panel = childrenOf(supervisorPid).find((child) => {
    const argv = argvOf(child);
    return argv.some((arg) => arg.endsWith('/cli/main.js')) && argv.includes('panel');
  });
  if (panel === undefined) {
    throw new Error(`harness: no \`cexbar panel\` process under ${supervisorPid}`);
  }
  return panel;
}
