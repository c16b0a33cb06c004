import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseShownWindows,
  type MeasuredGroup,
  type MeasuredWindow,
} from '../../src/widgets/window-overflow.js';

/* Which window buttons a crowded bar shows, from plain widths, without GTK. */

function window(id: number, flags: Partial<MeasuredWindow> = {}): MeasuredWindow {
  return { id, width: 50, focused: false, urgent: false, ...flags };
}

// Two groups: a container's three windows, then the host's five; tags 30 px, buttons 50 px.
const GROUPS: MeasuredGroup[] = [
  { tagWidth: 30, windows: [window(1), window(2), window(3)] },
  { tagWidth: 30, windows: [window(4), window(5), window(6), window(7), window(8)] },
];
// Everything: two tags, eight buttons, one gap between the groups.
const FULL_WIDTH = 2 * 30 + 8 * 50 + 4;

function choose(budget: number | null, groups = GROUPS): { shown: number[]; hidden: number[] } {
  const choice = chooseShownWindows({ groups, budget, indicatorWidth: 40, spacing: 4 });
  return { shown: [...choice.shown].sort((a, b) => a - b), hidden: choice.hidden };
}

describe('chooseShownWindows', () => {
  it('shows every window when they all fit, to the pixel', () => {
    assert.deepEqual(choose(FULL_WIDTH), { shown: [1, 2, 3, 4, 5, 6, 7, 8], hidden: [] });
  });

  it('shows every window before the bar was allocated once', () => {
    assert.deepEqual(choose(null).hidden, []);
  });

  it('leaves out the last windows when one pixel is missing, with room for the "+N"', () => {
    // The "+N" (40 px) takes the place of the last button (50 px).
    assert.deepEqual(choose(FULL_WIDTH - 1), { shown: [1, 2, 3, 4, 5, 6, 7], hidden: [8] });
    // 30 + 3 × 50 + 4 + 30 + 2 × 50 + 4 + 40 = 358; one more button would not fit.
    assert.deepEqual(choose(358), { shown: [1, 2, 3, 4, 5], hidden: [6, 7, 8] });
    assert.deepEqual(choose(357), { shown: [1, 2, 3, 4], hidden: [5, 6, 7, 8] });
  });

  it('a tag takes room only for a group with a window shown', () => {
    // The first group alone: 30 + 3 × 50 + 4 + 40 = 224; the host's tag and button need 84 more.
    assert.deepEqual(choose(224 + 83).hidden, [4, 5, 6, 7, 8]);
    assert.deepEqual(choose(224 + 84).hidden, [5, 6, 7, 8]);
  });

  it('always shows the focused window, however late it comes', () => {
    const groups: MeasuredGroup[] = [
      { tagWidth: 30, windows: [window(1), window(2), window(3)] },
      { tagWidth: 30, windows: [4, 5, 6, 7].map((id) => window(id)) },
    ];
    groups[1]?.windows.push(window(8, { focused: true }));
    // Room for three buttons and one tag beside the "+N": the focused one takes a place and its
    // group's tag, so the first group gives up a window.
    assert.deepEqual(choose(30 + 50 + 4 + 30 + 50 + 4 + 40, groups), {
      shown: [1, 8],
      hidden: [2, 3, 4, 5, 6, 7],
    });
    // Even with no room at all.
    assert.deepEqual(choose(0, groups).shown, [8]);
  });

  it('shows urgent windows before the others when they fit', () => {
    const groups = [{ tagWidth: 30, windows: [window(1), window(2), window(3, { urgent: true })] }];
    assert.deepEqual(choose(30 + 2 * 50 + 4 + 40, groups), { shown: [1, 3], hidden: [2] });
  });

  it('gives the same choice again for the same budget: no loop through the layout', () => {
    const first = choose(300);
    assert.deepEqual(choose(300), first);
  });
});
