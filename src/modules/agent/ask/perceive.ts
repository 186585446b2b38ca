import type { Addition, Admitted, AskDeps, Perceived } from './ask-state.js';

/** The ask's images and audio, perceived and fused; a bad file fails the ask before anything is generated. */
export async function perceive(
  state: Admitted,
  deps: AskDeps,
): Promise<Addition<Pick<Perceived, 'percept'>>> {
  const { input, ctx, route } = state;
  if (!input.images?.length && !input.audio) return { percept: undefined };
  const percept = await deps.fusion.fuse(
    {
      text: input.prompt,
      images: input.images ?? [],
      audio: input.audio,
      imageAnswering: deps.engine.acceptsImages(input.model ?? route.model)
        ? 'vision-llm'
        : 'candidate-scoring',
    },
    ctx,
  );
  return { percept };
}
