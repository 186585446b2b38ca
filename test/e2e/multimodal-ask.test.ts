import { media, postGraphql, startTestApp, uploadGraphql, type TestApp } from '../support/test-app.js';

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) {
    text sessionId route { path reason }
    perception { transcript alignment images { labels { label score } } }
    context { role content }
  }
}`;
const EPISODES = `query($s: String!) { episodes(sessionId: $s) { edges { node { text } } } }`;

interface AskData {
  ask: {
    text: string;
    route: { path: string; reason: string };
    perception: {
      transcript: string | null;
      alignment: number | null;
      images: { labels: { label: string; score: number }[] }[];
    } | null;
    context: { role: string; content: string }[];
  };
}

describe('multimodal ask', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('takes an image over GraphQL multipart: labels go into the prompt and the answer’s perception block', async () => {
    const { body } = await uploadGraphql(
      server.url,
      ASK,
      {
        input: {
          prompt: 'What is in this photo?',
          maxTokens: 4,
          debug: true,
          sessionId: 'mm-image',
          images: [{ upload: null }],
        },
      },
      { 'variables.input.images.0.upload': { name: 'photo.jpg', data: media('photo-640x480.jpg') } },
    );
    expect(body.errors).toBeUndefined();
    const { ask } = body.data as AskData;
    expect(ask.perception!.images).toHaveLength(1);
    expect(ask.perception!.images[0]!.labels).toHaveLength(3);
    expect(ask.perception!.transcript).toBeNull();
    const system = ask.context[0]!.content;
    expect(system).toContain('[image 1, zero-shot labels] ');
    expect(system).toContain(ask.perception!.images[0]!.labels[0]!.label);
    expect(ask.route.reason).toContain('1 media input(s)');
  });

  it('takes audio as base64: the transcript goes into the prompt', async () => {
    const { body } = await postGraphql(server.url, {
      query: ASK,
      variables: {
        input: {
          prompt: 'Summarize what was said.',
          maxTokens: 4,
          debug: true,
          audio: { base64: media('speech-16k-pcm16.wav').toString('base64') },
        },
      },
    });
    expect(body.errors).toBeUndefined();
    const { ask } = body.data as AskData;
    expect(typeof ask.perception!.transcript).toBe('string');
    expect(ask.perception!.images).toEqual([]);
    expect(ask.context[0]!.content).toContain('[audio, transcript] ');
  });

  it('answers a bad image inside an ask with BAD_IMAGE and remembers nothing of it', async () => {
    const { body } = await uploadGraphql(
      server.url,
      ASK,
      { input: { prompt: 'And this one?', maxTokens: 4, sessionId: 'mm-bad', images: [{ upload: null }] } },
      { 'variables.input.images.0.upload': { name: 'broken.jpg', data: media('truncated.jpg') } },
    );
    expect(body.errors[0].extensions.code).toBe('BAD_IMAGE');
    const episodes = await postGraphql(server.url, { query: EPISODES, variables: { s: 'mm-bad' } });
    expect(episodes.body.data.episodes.edges).toEqual([]);
    // The server keeps serving.
    const next = await postGraphql(server.url, {
      query: ASK,
      variables: { input: { prompt: 'Hi', maxTokens: 2 } },
    });
    expect(next.body.data.ask.perception).toBeNull();
  });
});
