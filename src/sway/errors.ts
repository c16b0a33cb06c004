/*
 * Three ways a request to Sway goes wrong, kept apart because callers act on them differently:
 * the socket is out of reach or gone (reconnect), Sway said something we cannot read (a bug on
 * one side: report it), or a command ran and Sway refused it (show the user Sway's reason).
 */

/** The socket could not be opened, or it closed before the reply came. */
export class SwayConnectionError extends Error {
  override readonly name = 'SwayConnectionError';
  readonly socketPath: string;

  constructor(socketPath: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.socketPath = socketPath;
  }
}

/** A frame, a payload or a reply that does not follow the i3-ipc protocol as we know it. */
export class SwayProtocolError extends Error {
  override readonly name = 'SwayProtocolError';
}

/** A RUN_COMMAND that Sway parsed or ran and reported as failed, with Sway's own reasons. */
export class SwayCommandError extends Error {
  override readonly name = 'SwayCommandError';
  readonly command: string;
  /** Sway's error text of every command in the list that failed, in order. */
  readonly errors: readonly string[];

  constructor(command: string, errors: readonly string[]) {
    super(`sway: command ${JSON.stringify(command)} failed: ${errors.join('; ')}`);
    this.command = command;
    this.errors = errors;
  }
}
