import type { WindowSource } from '../../../src/containers/container-service.js';
import type { SwayViewState } from '../../../src/sway/client.js';
import { Observable } from '../../../src/util/observable.js';

/** A window source without Sway, for tests that start containers but open no session. */
export class FakeWindows
  extends Observable<{ views: readonly SwayViewState[] }>
  implements WindowSource
{
  readonly focused: number[] = [];

  constructor() {
    super({ views: [] });
  }

  focusView(conId: number): Promise<void> {
    this.focused.push(conId);
    return Promise.resolve();
  }
}
