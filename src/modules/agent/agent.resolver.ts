import { Args, Mutation, Resolver, Subscription } from '@nestjs/graphql';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { deadlineError } from '../../common/abort.js';
import type { CallContext } from '../../common/call-context.js';
import { mapAsyncIterator } from '../../common/map-async-iterator.js';
import { AppConfig } from '../../config/app-config.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { askCost, askMedia, Cost } from '../../graphql/query-cost.js';
import { contextWithSpan, endSpan, startSpan, traceIdOf } from '../../telemetry/tracing.js';
import { AgentService, type AgentEvent } from './agent.service.js';
import { toAnswer } from './answer.mapper.js';
import { AskInput } from './dto/ask.input.js';
import { Answer } from './models/answer.model.js';
import { AskEvent, AskEventKind } from './models/ask-event.model.js';

@Resolver()
export class AgentResolver {
  constructor(
    private readonly agent: AgentService,
    private readonly config: AppConfig,
  ) {}

  @Mutation(() => Answer, { description: 'Ask the agent; resolves with the whole answer.' })
  @Cost(askCost, { perRequest: 1, media: askMedia })
  async ask(@Args('input') input: AskInput, @Caller() caller: CallContext): Promise<Answer> {
    for await (const event of this.agent.ask(input, caller)) {
      if (event.type === 'answer') return toAnswer(event.answer, traceIdOf(caller.trace) ?? '', input);
    }
    throw new Error('generation ended without an answer');
  }

  @Subscription(() => AskEvent, {
    description: 'Ask the agent and stream the answer: TOKEN events as they are generated, then one ANSWER.',
    resolve: (event: AskEvent) => event,
  })
  @Cost(askCost, { perRequest: 1, media: askMedia })
  async askStream(
    @Args('input') input: AskInput,
    @Caller() { tenant }: CallContext,
  ): Promise<AsyncIterator<AskEvent>> {
    const span = startSpan('graphql subscription askStream', ROOT_CONTEXT);
    const trace = contextWithSpan(span, ROOT_CONTEXT);
    const traceId = traceIdOf(trace) ?? '';
    const timeoutMs = this.config.server.requestTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(deadlineError(timeoutMs)), timeoutMs);
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      endSpan(span, error);
    };

    const events = this.agent.ask(input, { tenant, signal: deadline.signal, trace })[Symbol.asyncIterator]();
    let index = 0;
    const toEvent = (event: AgentEvent): AskEvent => {
      switch (event.type) {
        case 'token':
          return { kind: AskEventKind.TOKEN, index: index++, token: event.text, answer: null };
        case 'restart':
          return { kind: AskEventKind.RESTART, index: index++, token: event.reason, answer: null };
        case 'answer':
          return {
            kind: AskEventKind.ANSWER,
            index: index++,
            token: null,
            answer: toAnswer(event.answer, traceId, input),
          };
      }
    };
    // Pull the first event before subscribing so bad input, overflow or overload fail the subscription itself.
    let first: IteratorResult<AgentEvent>;
    try {
      first = await events.next();
    } catch (error) {
      finish(error);
      throw error;
    }
    return mapAsyncIterator(events, toEvent, { prefix: first.done ? [] : [first.value], onEnd: finish });
  }
}
