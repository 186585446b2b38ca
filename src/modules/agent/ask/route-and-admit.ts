import type { Addition, Admitted, AskDeps, Asked } from './ask-state.js';

/**
 * Route, then admit: the path is picked from the request alone and its gate admitted (or OVERLOADED at once)
 * before any media is decoded, so a refused ask costs nothing and a flood meets bounded queues first.
 */
export async function routeAndAdmit(
  state: Asked,
  deps: AskDeps,
): Promise<Addition<Pick<Admitted, 'route' | 'release'>>> {
  const { input, ctx } = state;
  const media = (input.images?.length ?? 0) + (input.audio ? 1 : 0);
  const decided = await deps.routing.decide(
    { prompt: input.prompt, media, maxTokens: input.maxTokens, hint: input.hint },
    ctx,
  );
  return deps.routing.admit(decided, ctx);
}
