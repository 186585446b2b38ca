import { planRoom, type Resident } from './room-plan.js';

const MB = 1024 * 1024;
const resident = (name: string, mb: number, lastUsedAt: number, busy = false): Resident => ({
  name,
  bytes: mb * MB,
  busy,
  lastUsedAt,
});

describe('planRoom', () => {
  it('unloads nothing when the model fits beside the loaded ones', () => {
    expect(planRoom(10 * MB, [resident('a', 4, 1)], 'b', 5 * MB)).toEqual({ fits: true, unload: [] });
  });

  it('unloads the least recently used idle models first, and no more than needed', () => {
    const residents = [resident('new', 3, 30), resident('old', 3, 10), resident('mid', 3, 20)];
    expect(planRoom(10 * MB, residents, 'x', 4 * MB)).toEqual({ fits: true, unload: ['old'] });
    expect(planRoom(10 * MB, residents, 'x', 7 * MB)).toEqual({ fits: true, unload: ['old', 'mid'] });
  });

  it('never unloads a busy model, and says which ones hold the room', () => {
    const plan = planRoom(10 * MB, [resident('busy', 6, 1, true), resident('idle', 3, 2)], 'x', 5 * MB);
    expect(plan).toEqual({
      fits: false,
      reason:
        'Model x needs about 5 MB of RAM; 6 MB of the 10 MB model budget are held by models serving requests ' +
        '(busy). Retry when they finish, or raise MNEME_LLM_MEMORY_BUDGET_MB.',
    });
  });

  it('refuses a model larger than the whole budget without unloading anything', () => {
    const plan = planRoom(4 * MB, [resident('idle', 1, 1)], 'huge', 5 * MB);
    expect(plan.fits).toBe(false);
    expect(plan).toMatchObject({
      reason: expect.stringMatching(
        /^Model huge needs about 5 MB of RAM, more than the whole model budget of 4 MB/,
      ),
    });
  });
});
