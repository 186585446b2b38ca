import os from 'node:os';

export const HARDWARE_TIERS = ['low', 'mid', 'high'] as const;
export type HardwareTier = (typeof HARDWARE_TIERS)[number];

/** What the machine offers the process: cores, and memory bounded by a container's limit. */
export interface Hardware {
  cores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
}

/** The defaults a tier picks; every one is overridable by its variable. */
export interface TierDefaults {
  parallel: number;
  contextSize: number;
  /** Share of the memory free at start the loaded LLMs may hold. */
  budgetShare: number;
}

const GiB = 1024 ** 3;

// Memory decides: on CPUs, llama.cpp's parallel sequences share the threads (decoding is memory-bound, so two
// sequences cost little more than one), while each sequence's context costs RAM.
export const TIER_DEFAULTS: Record<HardwareTier, TierDefaults> = {
  low: { parallel: 1, contextSize: 2048, budgetShare: 0.6 },
  mid: { parallel: 2, contextSize: 4096, budgetShare: 0.75 },
  high: { parallel: 4, contextSize: 8192, budgetShare: 0.8 },
};

export function detectHardware(): Hardware {
  const limit = process.constrainedMemory();
  const contained = limit > 0 && limit < os.totalmem();
  const memoryBytes = contained ? limit : os.totalmem();
  const free = contained ? Math.min(os.freemem(), limit - process.memoryUsage.rss()) : os.freemem();
  return { cores: os.availableParallelism(), memoryBytes, freeMemoryBytes: Math.max(0, free) };
}

/** Under 8 GiB: low; 32 GiB and more: high; mid between. */
export function tierOf({ memoryBytes }: Hardware): HardwareTier {
  if (memoryBytes < 8 * GiB) return 'low';
  return memoryBytes >= 32 * GiB ? 'high' : 'mid';
}
