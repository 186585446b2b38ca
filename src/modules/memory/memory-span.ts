import type { CallContext } from '../../common/call-context.js';
import { withSpan } from '../../telemetry/tracing.js';

export type MemoryTierName = 'working' | 'episodic' | 'semantic';

/**
 * One span per memory access (`memory.working`, `memory.episodic`) with tier, operation, backend and result
 * count — never the tenant or the text.
 */
export function memorySpan<T>(
  tier: MemoryTierName,
  operation: string,
  backend: string,
  ctx: Pick<CallContext, 'trace'>,
  fn: () => Promise<T>,
  count: (result: T) => number,
): Promise<T> {
  return withSpan(
    `memory.${tier}`,
    ctx.trace,
    { 'memory.tier': tier, 'memory.operation': operation, 'memory.backend': backend },
    async (span) => {
      const result = await fn();
      span.setAttribute('memory.results', count(result));
      return result;
    },
  );
}
