import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toClientError } from '../../../http/error-response.js';
import type { CallContext } from '../../../common/call-context.js';
import { Caller } from '../../../graphql/caller.decorator.js';
import { LlmEngine, type GenerationEvent, type GenerationResult } from '../../../engines/llm/llm-engine.js';
import { ChatService } from './chat.service.js';
import { ChatCompletionMapper } from './chat-completion.mapper.js';
import { parseChatCompletion, toGenerateRequest } from './chat-completion.schema.js';

/** The OpenAI-compatible face: enough of /v1 for the official clients, streaming included. */
@Controller('v1')
export class ChatCompletionsController {
  constructor(
    private readonly chats: ChatService,
    private readonly engine: LlmEngine,
  ) {}

  @Get('models')
  listModels() {
    const created = Math.floor(Date.now() / 1000);
    const names = [...this.engine.models().map((m) => m.name), 'default'];
    return { object: 'list', data: names.map((id) => ({ id, object: 'model', created, owned_by: 'mneme' })) };
  }

  @Post('chat/completions')
  @HttpCode(200)
  async create(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Caller() ctx: CallContext,
  ): Promise<void> {
    const body = parseChatCompletion(request.body);
    const mapper = new ChatCompletionMapper(`chatcmpl-${randomUUID()}`, body.model);
    const events = this.chats.chat(toGenerateRequest(body), ctx)[Symbol.asyncIterator]();
    // The first event is awaited before any byte is sent, so early failures keep their HTTP status.
    const first = await events.next();
    if (!body.stream) {
      const result = first.done ? undefined : await lastResult(first.value, events);
      if (!result) throw new Error('generation ended without a result');
      await reply.send(mapper.completion(result));
      return;
    }
    await this.stream(reply, mapper, first, events, body.stream_options?.include_usage === true);
  }

  private async stream(
    reply: FastifyReply,
    mapper: ChatCompletionMapper,
    first: IteratorResult<GenerationEvent>,
    events: AsyncIterator<GenerationEvent>,
    includeUsage: boolean,
  ): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(reply.getHeader('x-trace-id') ? { 'x-trace-id': String(reply.getHeader('x-trace-id')) } : {}),
    });
    const send = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
    send(mapper.chunk({ role: 'assistant', content: '' }));
    try {
      let next = first;
      while (!next.done) {
        const event = next.value;
        if (event.type === 'token') {
          send(mapper.chunk({ content: event.text }, null, undefined, event.logprobs));
        } else {
          send(mapper.chunk({}, event.result.finishReason, event.result.model));
          if (includeUsage) send(mapper.usageChunk(event.result));
        }
        next = await events.next();
      }
    } catch (error) {
      // Headers are gone: the error travels in the stream, as OpenAI's own server does.
      const clientError = toClientError(error, reply.request.mneme?.traceId);
      if (!raw.destroyed)
        send({ error: { message: clientError.message, type: 'server_error', code: clientError.code } });
    } finally {
      await events.return?.();
      if (!raw.destroyed) raw.end('data: [DONE]\n\n');
    }
  }
}

async function lastResult(
  first: GenerationEvent,
  events: AsyncIterator<GenerationEvent>,
): Promise<GenerationResult | undefined> {
  let event: GenerationEvent = first;
  for (;;) {
    if (event.type === 'done') return event.result;
    const next = await events.next();
    if (next.done) return undefined;
    event = next.value;
  }
}
