import { z } from 'zod';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { ChatMessage, FinishReason, GenerateRequest, TokenLogprob } from './llm-engine.js';

// The OpenAI chat-completions wire format, as the remote backend speaks it (no SDK: fetch and these mappings).

type WirePart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

function wireContent(message: ChatMessage): string | WirePart[] {
  if (!message.images?.length) return message.content;
  return [
    { type: 'text', text: message.content },
    ...message.images.map((image) => ({ type: 'image_url' as const, image_url: { url: image.url } })),
  ];
}

/** A streaming request with usage reported in the last chunk. */
export function toWireRequest(
  request: GenerateRequest,
  model: string,
  maxTokens: number,
): Record<string, unknown> {
  return {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: wireContent(m) })),
    max_tokens: maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { top_p: request.topP }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.stop?.length ? { stop: request.stop } : {}),
    // At least one alternative: the likeliest token gives the entropy (callers get only what they asked for).
    ...(request.logprobs !== undefined && { logprobs: true, top_logprobs: Math.max(1, request.logprobs) }),
    ...(request.jsonSchema && {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', schema: request.jsonSchema, strict: true },
      },
    }),
    stream: true,
    stream_options: { include_usage: true },
  };
}

const wireChoice = z.looseObject({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number()).nullish(),
});
const wireLogprobs = z.looseObject({
  content: z.array(wireChoice.extend({ top_logprobs: z.array(wireChoice).nullish() })).nullish(),
});

const chunkSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        delta: z.looseObject({ content: z.string().nullish() }).nullish(),
        logprobs: wireLogprobs.nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z
    .looseObject({
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullish(),
    })
    .nullish(),
  error: z.looseObject({ message: z.string().optional() }).nullish(),
});

export interface WireChunk {
  text: string;
  /** The chunk's scored tokens, when the request asked for logprobs and the remote sent them. */
  logprobs: TokenLogprob[] | undefined;
  finishReason: FinishReason | undefined;
  usage: { promptTokens: number; cachedPromptTokens: number; completionTokens: number } | undefined;
}

/** One stream chunk; a malformed one, or an error sent mid-stream, fails the generation. */
export function parseChunk(data: string, where: string): WireChunk {
  let parsed: z.infer<typeof chunkSchema>;
  try {
    parsed = chunkSchema.parse(JSON.parse(data));
  } catch {
    throw new MnemeError(
      ErrorCode.MODEL_UNAVAILABLE,
      `${where} sent a stream chunk that is not a chat completion chunk.`,
    );
  }
  if (parsed.error) {
    throw new MnemeError(
      ErrorCode.MODEL_UNAVAILABLE,
      `${where} failed mid-answer: ${parsed.error.message ?? 'unknown'}`,
    );
  }
  const choice = parsed.choices?.[0];
  const reason = choice?.finish_reason;
  return {
    text: choice?.delta?.content ?? '',
    logprobs: choice?.logprobs?.content?.map((t) => ({
      ...fromWire(t),
      top: (t.top_logprobs ?? []).map(fromWire),
    })),
    finishReason: reason ? (reason === 'length' ? 'length' : 'stop') : undefined,
    usage: parsed.usage
      ? {
          promptTokens: parsed.usage.prompt_tokens,
          // What the remote's own prompt cache reused, when it says (OpenAI, vLLM and llama.cpp's server do).
          cachedPromptTokens: parsed.usage.prompt_tokens_details?.cached_tokens ?? 0,
          completionTokens: parsed.usage.completion_tokens,
        }
      : undefined,
  };
}

function fromWire(choice: z.infer<typeof wireChoice>) {
  const bytes = choice.bytes ?? [...Buffer.from(choice.token, 'utf8')];
  return { token: choice.token, logprob: choice.logprob, bytes };
}

const errorBody = z.looseObject({
  error: z.looseObject({ message: z.string(), code: z.unknown().optional() }),
});

/** A non-2xx answer from the remote, as the error a Mneme caller can act on. */
export function remoteError(
  status: number,
  body: string,
  where: string,
  retryAfter: string | null,
): MnemeError {
  const parsed = errorBody.safeParse(safeJson(body));
  const message = parsed.success ? parsed.data.error.message : body.slice(0, 300) || `HTTP ${status}`;
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : 1;
  if (status === 429 || status === 503) {
    return new MnemeError(ErrorCode.OVERLOADED, `${where} is busy: ${message}`, { retryAfterSeconds });
  }
  if (status === 404) return new MnemeError(ErrorCode.MODEL_NOT_FOUND, `${where}: ${message}`);
  if (status === 400 && /context|too long|maximum.*tokens/i.test(message)) {
    return new MnemeError(ErrorCode.CONTEXT_OVERFLOW, `${where}: ${message}`);
  }
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return new MnemeError(ErrorCode.BAD_REQUEST, `${where} refused the request: ${message}`);
  }
  if (status === 401 || status === 403) {
    return new MnemeError(
      ErrorCode.MODEL_UNAVAILABLE,
      `${where} refused Mneme's credentials (HTTP ${status}); check MNEME_LLM_REMOTE_API_KEY.`,
    );
  }
  return new MnemeError(ErrorCode.MODEL_UNAVAILABLE, `${where} failed (HTTP ${status}): ${message}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
