/** A loaded model as the budget sees it. */
export interface Resident {
  name: string;
  bytes: number;
  /** Requests in flight (or a load under way): never unloaded to make room. */
  busy: boolean;
  lastUsedAt: number;
}

export type RoomPlan = { fits: true; unload: string[] } | { fits: false; reason: string };

/**
 * Which idle models to unload, least recently used first and no more than needed, so that `bytes` more fit in
 * `budget`; or why they cannot, in words a user can act on.
 */
export function planRoom(
  budget: number,
  residents: readonly Resident[],
  name: string,
  bytes: number,
): RoomPlan {
  if (bytes > budget) {
    return {
      fits: false,
      reason:
        `Model ${name} needs about ${mb(bytes)} of RAM, more than the whole model budget of ${mb(budget)}. ` +
        'Raise MNEME_LLM_MEMORY_BUDGET_MB, lower MNEME_LLM_CONTEXT_SIZE or MNEME_LLM_PARALLEL, or use a smaller ' +
        'quantization of the model.',
    };
  }
  let free = budget - residents.reduce((sum, r) => sum + r.bytes, 0);
  const unload: string[] = [];
  const idle = residents.filter((r) => !r.busy).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  for (const resident of idle) {
    if (free >= bytes) break;
    unload.push(resident.name);
    free += resident.bytes;
  }
  if (free >= bytes) return { fits: true, unload };
  const busy = residents.filter((r) => r.busy);
  return {
    fits: false,
    reason:
      `Model ${name} needs about ${mb(bytes)} of RAM; ${mb(busy.reduce((s, r) => s + r.bytes, 0))} of the ` +
      `${mb(budget)} model budget are held by models serving requests (${busy.map((r) => r.name).join(', ')}). ` +
      'Retry when they finish, or raise MNEME_LLM_MEMORY_BUDGET_MB.',
  };
}

function mb(bytes: number): string {
  return `${Math.ceil(bytes / 1024 / 1024)} MB`;
}
