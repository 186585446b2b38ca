import { z } from 'zod';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import type { ChatMessage, GenerateRequest } from '../../../engines/llm/llm-engine.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const contentPart = z.union([textPart, z.object({ type: z.string() }).loose()]);

const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(contentPart), z.null()]),
  name: z.string().optional(),
});

/** The subset of OpenAI's chat completion request that Mneme serves; unknown fields are ignored like OpenAI does. */
export const chatCompletionBody = z.object({
  model: z.string().min(1).max(128).default('default'),
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.literal(1, 'only n=1 is supported').nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
});

export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

/** Validates a request body; a bad one is a BAD_REQUEST naming each bad field. */
export function parseChatCompletion(body: unknown): ChatCompletionBody {
  const parsed = chatCompletionBody.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new MnemeError(ErrorCode.BAD_REQUEST, `Invalid chat completion request — ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function toGenerateRequest(body: ChatCompletionBody): GenerateRequest {
  const messages = body.messages.map((m, i): ChatMessage => {
    const content = textOf(m.content, i);
    return { role: m.role === 'developer' ? 'system' : m.role, content };
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
  };
}

function textOf(content: ChatCompletionBody['messages'][number]['content'], index: number): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text' && 'text' in part && typeof part.text === 'string') return part.text;
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `messages.${index}.content: parts of type "${part.type}" are not supported; send text parts only`,
      );
    })
    .join('');
}
