import type { CallContext } from '../../common/call-context.js';
import type { ChatMessage } from '../../engines/llm/llm-engine.js';
import type { FusionService } from '../fusion/fusion.service.js';

/**
 * For a text-only model: each message's images perceived by the server (labels, an answer scored against the
 * image) and written into that message as source-marked text, the images themselves dropped. A bad image fails
 * the request with its own code (BAD_IMAGE, …).
 */
export async function describeImages(
  messages: readonly ChatMessage[],
  fusion: FusionService,
  ctx: CallContext,
): Promise<ChatMessage[]> {
  const described: ChatMessage[] = [];
  for (const message of messages) {
    if (!message.images?.length) {
      described.push(message);
      continue;
    }
    const percept = await fusion.fuse(
      {
        text: message.content,
        images: message.images.map((image) => ({ base64: image.url })),
        audio: undefined,
        imageAnswering: 'candidate-scoring',
      },
      ctx,
    );
    described.push({ role: message.role, content: `${message.content}\n\n${percept.context}`.trim() });
  }
  return described;
}
