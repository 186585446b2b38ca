import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { parseChatCompletion, toGenerateRequest } from './chat-completion.schema.js';

const user = { role: 'user', content: 'Hello' };

function badRequest(fn: () => unknown): MnemeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MnemeError && error.code === ErrorCode.BAD_REQUEST) return error;
    throw error;
  }
  throw new Error('expected a BAD_REQUEST');
}

const request = (body: Record<string, unknown>) => toGenerateRequest(parseChatCompletion(body));

describe('parseChatCompletion', () => {
  it('defaults the model to "default" and ignores unknown fields', () => {
    const body = parseChatCompletion({ messages: [user], frequency_penalty: 0.5 });
    expect(body.model).toBe('default');
    expect(body).not.toHaveProperty('frequency_penalty');
  });

  it('rejects empty messages, naming the field', () => {
    const error = badRequest(() => parseChatCompletion({ messages: [] }));
    expect(error.message).toContain('messages: messages must contain at least one message');
  });

  it('rejects a missing body, naming the messages field', () => {
    expect(badRequest(() => parseChatCompletion(undefined)).message).toContain('messages:');
  });

  it('rejects n=2', () => {
    const error = badRequest(() => parseChatCompletion({ messages: [user], n: 2 }));
    expect(error.message).toContain('n: only n=1 is supported');
  });

  it('accepts n=1 and null optional fields', () => {
    expect(parseChatCompletion({ messages: [user], n: 1, temperature: null, stop: null }).n).toBe(1);
  });

  it('rejects a temperature outside 0..2', () => {
    for (const temperature of [-0.1, 2.5, 'hot']) {
      expect(badRequest(() => parseChatCompletion({ messages: [user], temperature })).message).toMatch(
        /temperature:/,
      );
    }
  });

  it('names every bad field, with its path', () => {
    const error = badRequest(() =>
      parseChatCompletion({ messages: [{ role: 'robot', content: 'x' }], top_p: 0, max_tokens: 0 }),
    );
    expect(error.message).toContain('messages.0.role:');
    expect(error.message).toContain('top_p:');
    expect(error.message).toContain('max_tokens:');
  });
});

describe('toGenerateRequest', () => {
  it('passes the model and sampling options through', () => {
    expect(
      request({ model: 'qwen', messages: [user], temperature: 0.2, top_p: 0.9, seed: 7, max_tokens: 64 }),
    ).toEqual({
      model: 'qwen',
      messages: [{ role: 'user', content: 'Hello' }],
      maxTokens: 64,
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      stop: undefined,
    });
  });

  it('joins text parts', () => {
    const result = request({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'text', text: 'world' },
          ],
        },
      ],
    });
    expect(result.messages).toEqual([{ role: 'user', content: 'Hello, world' }]);
  });

  it('takes inline image parts into the message’s images', () => {
    const result = request({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(result.messages).toEqual([
      { role: 'user', content: 'What is this?', images: [{ url: 'data:image/png;base64,iVBORw0KGgo=' }] },
    ]);
  });

  it('refuses image URLs it would have to fetch, naming the message', () => {
    const error = badRequest(() =>
      request({
        messages: [
          user,
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      }),
    );
    expect(error.message).toContain('messages.1.content');
    expect(error.message).toContain('must be a data: URL');
  });

  it('refuses images outside user messages and unknown part types', () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } };
    expect(
      badRequest(() => request({ messages: [user, { role: 'assistant', content: [image] }] })).message,
    ).toContain('only user messages may carry images');
    expect(
      badRequest(() => request({ messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] })).message,
    ).toContain('"input_audio"');
  });

  it('maps the developer role to system and null content to an empty string', () => {
    const result = request({
      messages: [{ role: 'developer', content: 'Be brief.' }, user, { role: 'assistant', content: null }],
    });
    expect(result.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('turns a stop string into an array and keeps an array', () => {
    expect(request({ messages: [user], stop: 'END' }).stop).toEqual(['END']);
    expect(request({ messages: [user], stop: ['a', 'b'] }).stop).toEqual(['a', 'b']);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(request({ messages: [user], max_tokens: 10, max_completion_tokens: 20 }).maxTokens).toBe(20);
    expect(request({ messages: [user], max_tokens: 10 }).maxTokens).toBe(10);
    expect(request({ messages: [user] }).maxTokens).toBeUndefined();
  });

  it('requires a non-empty user message', () => {
    for (const messages of [
      [{ role: 'system', content: 'Be brief.' }],
      [{ role: 'user', content: '   ' }],
      [{ role: 'user', content: null }],
      [{ role: 'assistant', content: 'Hi' }],
    ]) {
      expect(badRequest(() => request({ messages })).message).toBe(
        'messages must contain a non-empty user message',
      );
    }
  });
});
