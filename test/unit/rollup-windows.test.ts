import { describe, expect, it } from 'vitest';
import { type DayView, RollupWindows } from '../../packages/store/src/rollup-windows';

const view = (born: string, ver: number, reads = ver): DayView => ({
  born,
  ver,
  rollups: [{ day: '', topic: 'security', counts: { content_read: reads }, identified: {}, verified: {}, people: [] }],
});

describe('the rollup days a process knows', () => {
  it('answers only when they cover the saved basis: each day known, same incarnation, at least its version', () => {
    const windows = new RollupWindows();
    windows.put('a.example', '2026-11-29', view('b1', 4));
    windows.put('a.example', '2026-11-30', view('b2', 7));
    const known = windows.window('a.example', '2026-11-17', { '2026-11-29': 'b1/4', '2026-11-30': 'b2/6' });
    expect(known?.basis).toEqual({ '2026-11-29': 'b1/4', '2026-11-30': 'b2/7' });
    expect(known?.rollups).toHaveLength(2);

    expect(windows.window('a.example', '2026-11-17', undefined)).toBeUndefined(); // no basis saved yet
    expect(windows.window('a.example', '2026-11-17', { '2026-11-29': 'b1/5' })).toBeUndefined(); // written elsewhere since
    expect(windows.window('a.example', '2026-11-17', { '2026-11-29': 'b9/1' })).toBeUndefined(); // the item was made again
    expect(windows.window('a.example', '2026-11-17', { '2026-11-28': 'b0/1' })).toBeUndefined(); // a day it never saw
    expect(windows.window('b.example', '2026-11-17', {})).toBeUndefined(); // an account it knows nothing of
    // Days before the window are neither needed nor answered.
    expect(windows.window('a.example', '2026-11-30', { '2026-11-20': 'zz/9' })?.basis).toEqual({ '2026-11-30': 'b2/7' });
  });

  it('keeps the newest view of a day, whatever order they arrive in', () => {
    const windows = new RollupWindows();
    windows.put('a.example', '2026-11-30', view('b1', 5, 50));
    windows.put('a.example', '2026-11-30', view('b1', 3, 30));
    expect(windows.window('a.example', '2026-11-30', {})?.rollups[0]?.counts.content_read).toBe(50);
  });

  it('never takes a day back to an older version when a read answered before a write is taken in', () => {
    const windows = new RollupWindows();
    windows.put('a.example', '2026-11-30', view('b1', 2, 20)); // a batch's write, after the read was answered
    const merged = windows.merge('a.example', '2026-11-17', new Map([['2026-11-30', view('b1', 1, 10)]]));
    expect(merged.basis).toEqual({ '2026-11-30': 'b1/2' });
    expect(merged.rollups[0]?.counts.content_read).toBe(20);
    expect(windows.window('a.example', '2026-11-17', { '2026-11-30': 'b1/1' })?.rollups[0]?.counts.content_read).toBe(20);
    // Days the read found that were not known are taken in.
    const more = windows.merge('a.example', '2026-11-17', new Map([['2026-11-29', view('b0', 3, 30)]]));
    expect(more.basis).toEqual({ '2026-11-29': 'b0/3', '2026-11-30': 'b1/2' });
  });

  it('keeps at most 2,000 accounts, the least recently used going first', () => {
    const windows = new RollupWindows();
    for (let i = 0; i <= 2_000; i++) windows.put(`a${i}.example`, '2026-11-30', view('b', 1));
    expect(windows.window('a0.example', '2026-11-30', {})).toBeUndefined();
    expect(windows.window('a1.example', '2026-11-30', {})).toBeDefined();
    expect(windows.window('a2000.example', '2026-11-30', {})).toBeDefined();
  });
});
