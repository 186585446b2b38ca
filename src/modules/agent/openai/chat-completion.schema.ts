import { z } from 'zod';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import type { ChatImage, ChatMessage, GenerateRequest } from '../../../engines/llm/llm-engine.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.string().optional() }),
});
const contentPart = z.union([textPart, imagePart, z.object({ type: z.string() }).loose()]);

const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(contentPart), z.null()]),
  name: z.string().optional(),
});

/** The subset of OpenAI's chat completion request that Mneme serves; unknown fields are ignored like OpenAI does. */
export const chatCompletionBody = z
  .object({
    model: z.string().min(1).max(128).default('default'),
    messages: z.array(message).min(1, 'messages must contain at least one message'),
    max_tokens: z.number().int().min(1).nullish(),
    max_completion_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string().max(256), z.array(z.string().max(256)).max(4)]).nullish(),
    n: z.literal(1, 'only n=1 is supported').nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
  })
  .refine((body) => body.top_logprobs == null || body.logprobs === true, {
    path: ['top_logprobs'],
    message: 'top_logprobs needs logprobs: true',
  });

export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

// Bounds on the request's shape, checked before any element is validated: a body of 200,000 one-character
// messages is refused in microseconds, not validated, rendered and tokenized for seconds.
export const MAX_MESSAGES = 2048;
export const MAX_CONTENT_PARTS = 4096;

/** Validates a request body; a bad one is a BAD_REQUEST naming each bad field. */
export function parseChatCompletion(body: unknown): ChatCompletionBody {
  assertBoundedShape(body);
  const parsed = chatCompletionBody.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new MnemeError(ErrorCode.BAD_REQUEST, `Invalid chat completion request — ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function toGenerateRequest(body: ChatCompletionBody): GenerateRequest {
  const messages = body.messages.map((m, i): ChatMessage => {
    const { text, images } = partsOf(m.content, i);
    if (images.length && m.role !== 'user') {
      throw new MnemeError(ErrorCode.BAD_REQUEST, `messages.${i}: only user messages may carry images`);
    }
    return {
      role: m.role === 'developer' ? 'system' : m.role,
      content: text,
      ...(images.length && { images }),
    };
  });
  if (!messages.some((m) => m.role === 'user' && m.content.trim() !== '')) {
    throw new MnemeError(ErrorCode.BAD_REQUEST, 'messages must contain a non-empty user message');
  }
  return {
    model: body.model,
    messages,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    seed: body.seed ?? undefined,
    stop: body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
    ...(body.logprobs === true && { logprobs: body.top_logprobs ?? 0 }),
  };
}

function partsOf(
  content: ChatCompletionBody['messages'][number]['content'],
  index: number,
): { text: string; images: ChatImage[] } {
  if (content === null) return { text: '', images: [] };
  if (typeof content === 'string') return { text: content, images: [] };
  const texts: string[] = [];
  const images: ChatImage[] = [];
  for (const part of content) {
    if (part.type === 'text' && 'text' in part && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'image_url' && 'image_url' in part && typeof part.image_url === 'object') {
      const url = (part.image_url as { url: string }).url;
      // The server never fetches a URL it is handed (SSRF): images come inline.
      if (!/^data:/i.test(url)) {
        throw new MnemeError(
          ErrorCode.BAD_REQUEST,
          `messages.${index}.content: image_url must be a data: URL (data:image/jpeg;base64,...); ` +
            'Mneme does not fetch images from URLs',
        );
      }
      images.push({ url });
    } else {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `messages.${index}.content: parts of type "${part.type}" are not supported; send text and image_url parts`,
      );
    }
  }
  return { text: texts.join(''), images };
}

function assertBoundedShape(body: unknown): void {
  const messages = (body as { messages?: unknown } | null | undefined)?.messages;
  if (!Array.isArray(messages)) return; // the schema names what is wrong
  if (messages.length > MAX_MESSAGES) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      `messages holds ${messages.length} messages; at most ${MAX_MESSAGES} are accepted. Send the conversation's recent part.`,
    );
  }
  const parts = messages.reduce<number>((n, m) => {
    const content = (m as { content?: unknown } | null)?.content;
    return n + (Array.isArray(content) ? content.length : 1);
  }, 0);
  if (parts > MAX_CONTENT_PARTS) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      `messages hold ${parts} content parts; at most ${MAX_CONTENT_PARTS} are accepted.`,
    );
  }
}
