import { ErrorCode } from '../../common/error-codes.js';
import { parseChunk, remoteError, toWireRequest } from './openai-wire.js';

describe('OpenAI wire mapping', () => {
  it('sends images as image_url parts next to the text, and asks for usage in the stream', () => {
    const body = toWireRequest(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is this?', images: [{ url: 'data:image/jpeg;base64,AAAA' }] },
        ],
        temperature: 0,
        stop: ['\n'],
      },
      'llava',
      64,
    );
    expect(body).toEqual({
      model: 'llava',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
          ],
        },
      ],
      max_tokens: 64,
      temperature: 0,
      stop: ['\n'],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('reads deltas, finish reasons and the usage chunk', () => {
    expect(parseChunk('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}', 'remote')).toEqual({
      text: 'Hi',
      finishReason: undefined,
      usage: undefined,
    });
    expect(parseChunk('{"choices":[{"delta":{},"finish_reason":"length"}]}', 'remote').finishReason).toBe(
      'length',
    );
    expect(
      parseChunk('{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3}}', 'remote').usage,
    ).toEqual({ promptTokens: 9, cachedPromptTokens: 0, completionTokens: 3 });
    // A remote with its own prompt cache says how much of the prompt it reused.
    const cached =
      '{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":6}}}';
    expect(parseChunk(cached, 'remote').usage?.cachedPromptTokens).toBe(6);
  });

  it('asks for logprobs with at least one alternative, and reads them from a chunk', () => {
    const body = toWireRequest({ messages: [{ role: 'user', content: 'Hi' }], logprobs: 0 }, 'm', 8);
    expect(body).toMatchObject({ logprobs: true, top_logprobs: 1 });
    expect(toWireRequest({ messages: [], logprobs: 5 }, 'm', 8)).toMatchObject({ top_logprobs: 5 });
    const chunk = JSON.stringify({
      choices: [
        {
          delta: { content: 'Hé' },
          logprobs: {
            content: [
              {
                token: 'Hé',
                logprob: -0.5,
                bytes: [72, 195, 169],
                top_logprobs: [{ token: 'Hé', logprob: -0.5 }],
              },
            ],
          },
        },
      ],
    });
    expect(parseChunk(chunk, 'remote').logprobs).toEqual([
      {
        token: 'Hé',
        logprob: -0.5,
        bytes: [72, 195, 169],
        top: [{ token: 'Hé', logprob: -0.5, bytes: [72, 195, 169] }],
      },
    ]);
  });

  it('fails on a malformed chunk or an error sent mid-stream', () => {
    expect(() => parseChunk('not json', 'remote')).toThrow(/not a chat completion chunk/);
    expect(() => parseChunk('{"error":{"message":"boom"}}', 'remote')).toThrow(/failed mid-answer: boom/);
  });

  it.each([
    [429, '{"error":{"message":"slow down"}}', ErrorCode.OVERLOADED, /busy: slow down/],
    [503, 'gateway', ErrorCode.OVERLOADED, /busy: gateway/],
    [404, '{"error":{"message":"no model x"}}', ErrorCode.MODEL_NOT_FOUND, /no model x/],
    [400, '{"error":{"message":"maximum context length exceeded"}}', ErrorCode.CONTEXT_OVERFLOW, /context/],
    [400, '{"error":{"message":"bad stop"}}', ErrorCode.BAD_REQUEST, /refused the request: bad stop/],
    [401, '{"error":{"message":"no"}}', ErrorCode.MODEL_UNAVAILABLE, /MNEME_LLM_REMOTE_API_KEY/],
    [500, '', ErrorCode.MODEL_UNAVAILABLE, /HTTP 500/],
  ])('maps HTTP %d to a Mneme error', (status, body, code, message) => {
    const error = remoteError(status, body, 'remote', '7');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('carries Retry-After on OVERLOADED', () => {
    expect(remoteError(429, '', 'remote', '7').retryAfterSeconds).toBe(7);
  });
});
