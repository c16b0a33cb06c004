import { CommandRunner, type LxcVerb } from '../../../src/containers/command-runner.js';

/*
 * Runs one command through cexbar's runner and prints the outcome as JSON, so that a test can
 * run the runner as an unprivileged user (through sudo -n) and read what it got.
 * Usage: node runner-as-user.js VERB ARG...; for `monitor`, it prints each line it gets and
 * runs until killed, as a panel does.
 */
const [verb, ...args] = process.argv.slice(2);

if (verb === 'monitor') {
  new CommandRunner().spawnLines('monitor', args, (line) => process.stdout.write(`${line}\n`));
} else {
  runOnce();
}

function runOnce(): void {
  new CommandRunner()
    .run(verb as LxcVerb, args)
    .then((result) => {
      process.stdout.write(JSON.stringify({ stdout: result.stdout }));
    })
    .catch((error: unknown) => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      process.stdout.write(JSON.stringify({ error: name, message }));
    });
}
