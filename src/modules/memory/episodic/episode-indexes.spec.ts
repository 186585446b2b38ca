import { Logger } from '@nestjs/common';
import { EpisodeIndexes } from './episode-indexes.js';
import type { LanceEpisodeTable } from './lancedb-episode.table.js';

/** A table whose optimize() takes `optimizeMs` of the test's clock. */
function fakeTable(clock: { t: number }, optimizeMs: number) {
  return {
    createTextIndex: () => Promise.resolve(),
    optimize: () => {
      clock.t += optimizeMs;
      return Promise.resolve({ fragmentsRemoved: 0, versionsRemoved: 0 });
    },
    refreshConnection: () => Promise.resolve(),
    countRows: () => Promise.resolve(10),
    layout: { column: 'vector' },
  } as unknown as LanceEpisodeTable;
}

/** Commits one at a time, a second apart, maintaining when told to; answers the commits that were told. */
async function commitsThatMaintain(optimizeMs: number, commits: number): Promise<number[]> {
  const clock = { t: 0 };
  const indexes = new EpisodeIndexes(1_000_000, new Logger('test'), () => clock.t);
  const table = fakeTable(clock, optimizeMs);
  const due: number[] = [];
  for (let commit = 1; commit <= commits; commit++) {
    clock.t += 1000;
    if ((await indexes.afterCommit(table)).maintenanceDue) {
      due.push(commit);
      await indexes.maintain(table);
    }
  }
  return due;
}

describe('EpisodeIndexes maintenance schedule', () => {
  it('compacts every 8 commits while compaction is cheap', async () => {
    expect(await commitsThatMaintain(50, 40)).toEqual([8, 16, 24, 32, 40]);
  });

  it('spaces maintenance out when it costs more, keeping it within 5% of the time', async () => {
    // 2 s per run allows one per 40 s: each waits until 40 s have passed since the last one ended.
    expect(await commitsThatMaintain(2000, 100)).toEqual([8, 48, 88]);
  });
});
