/**
 * Container names reach lxc-* programs as arguments and name folders on the host, so a name is
 * accepted only when it can become neither an option, nor a path, nor a shell word: it starts
 * with a letter or digit and holds only letters, digits, `_`, `.` and `-`, never `..`.
 */
export const CONTAINER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class ContainerNameError extends Error {
  constructor(readonly received: string) {
    super(
      `invalid container name ${JSON.stringify(received)}: a name starts with a letter or digit ` +
        `and holds only letters, digits, "_", "." and "-" (at most 64), never ".."`,
    );
    this.name = 'ContainerNameError';
  }
}

export function isValidContainerName(name: string): boolean {
  return CONTAINER_NAME_PATTERN.test(name) && !name.includes('..');
}

/** Returns the name unchanged, or throws a ContainerNameError that quotes it. */
export function checkContainerName(name: string): string {
  if (!isValidContainerName(name)) throw new ContainerNameError(name);
  return name;
}
