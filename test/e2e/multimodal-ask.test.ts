import { createHash } from 'node:crypto';
import { modelsDirWithFits } from '../support/fusion-fits.js';
import {
  KEYS,
  bearer,
  media,
  postGraphql,
  startTestApp,
  uploadGraphql,
  type TestApp,
} from '../support/test-app.js';

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) {
    text model sessionId route { path reason }
    perception {
      transcript alignment alignmentSpace fused imagesUnrecognized
      images { labels { label score } usable }
      imageLabels { label score }
      audioLabels { label score }
      visualAnswer { method kind answer confidence candidates { label score } }
    }
    context { role content }
  }
}`;
const EPISODES = `query($s: String!) { episodes(sessionId: $s) { edges { node { text role modality media } } } }`;
const EPISODES_WITH_IDS = `query($s: String!) { episodes(sessionId: $s) { edges { node { id } } } }`;

interface Label {
  label: string;
  score: number;
}

interface AskData {
  ask: {
    text: string;
    model: string;
    route: { path: string; reason: string };
    perception: {
      transcript: string | null;
      alignment: number | null;
      alignmentSpace: 'SHARED' | 'NATIVE' | null;
      fused: string[];
      imagesUnrecognized: boolean;
      images: { labels: Label[]; usable: boolean }[];
      imageLabels: Label[];
      audioLabels: Label[];
      visualAnswer: {
        method: string;
        kind: string;
        answer: string;
        confidence: number;
        candidates: Label[];
      } | null;
    } | null;
    context: { role: string; content: string }[];
  };
}

interface EpisodeNode {
  text: string;
  role: string;
  modality: string;
  media: string[];
}
const nodes = (body: { data: { episodes: { edges: { node: EpisodeNode }[] } } }) =>
  body.data.episodes.edges.map((e) => e.node);

const imageAsk = (url: string, prompt: string, sessionId?: string) =>
  uploadGraphql(
    url,
    ASK,
    { input: { prompt, maxTokens: 4, debug: true, sessionId, images: [{ upload: null }] } },
    { 'variables.input.images.0.upload': { name: 'photo.jpg', data: media('photo-640x480.jpg') } },
  );

describe('multimodal ask', () => {
  let server: TestApp;
  beforeAll(async () => {
    // Labels count as usable from any score, so the image path is the one that reaches the LLM.
    server = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_MODELS_DIR: await modelsDirWithFits(),
      MNEME_LABEL_MIN_SCORE: '0',
      // Room for the perceived lines next to memory (the fixture tokenizer spends many tokens per word).
      MNEME_LLM_CONTEXT_SIZE: '2048',
    });
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
    const system = ask.context.at(-1)!.content;
    expect(system).toContain('[image 1, zero-shot labels] ');
    expect(system).toContain(ask.perception!.images[0]!.labels[0]!.label);
    expect(ask.route.reason).toContain('1 media input(s)');
    // Fused: the question's text and the projected image, with their agreement.
    expect(ask.perception!.fused).toEqual(['text', 'image']);
    expect(ask.perception!.alignment).toBeGreaterThanOrEqual(0);
    expect(ask.perception!.alignment).toBeLessThanOrEqual(1);
    expect(ask.perception!.alignmentSpace).toBe('SHARED');
    expect(ask.perception!.imageLabels[0]).toEqual(ask.perception!.images[0]!.labels[0]);
    // Remembered as an image episode whose text carries what was seen.
    const episodes = await postGraphql(server.url, { query: EPISODES, variables: { s: 'mm-image' } });
    const [user] = nodes(episodes.body);
    expect(user).toMatchObject({ role: 'user', modality: 'image' });
    expect(user!.text).toContain(`[attached image: ${ask.perception!.images[0]!.labels[0]!.label}`);
  });

  it('answers a closed question about the image by scoring candidate answers, and says so', async () => {
    const { body } = await imageAsk(server.url, 'How many dogs are in the picture?');
    expect(body.errors).toBeUndefined();
    const { ask } = body.data as AskData;
    const answer = ask.perception!.visualAnswer!;
    expect(answer).toMatchObject({ method: 'CANDIDATE_SCORING', kind: 'COUNT' });
    expect(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']).toContain(answer.answer);
    expect(answer.candidates[0]).toEqual({ label: answer.answer, score: answer.confidence });
    expect(ask.context.at(-1)!.content).toContain(
      `[image 1, answer scored against the image] "${answer.answer}"`,
    );
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
    expect(ask.context.at(-1)!.content).toContain('[audio, transcript] ');
    expect(ask.perception!.audioLabels).toHaveLength(3);
    expect(ask.context.at(-1)!.content).toContain(
      `[audio, sound events] ${ask.perception!.audioLabels[0]!.label}`,
    );
    expect(ask.perception!.fused).toEqual(['text', 'audio']);
  });

  it('fuses text, an image and audio in one ask: three vectors, their agreement, all sources in the prompt', async () => {
    const { body } = await uploadGraphql(
      server.url,
      ASK,
      {
        input: {
          prompt: 'Does the sound match the picture?',
          maxTokens: 4,
          debug: true,
          sessionId: 'mm-both',
          images: [{ upload: null }],
          audio: { upload: null },
        },
      },
      {
        'variables.input.images.0.upload': { name: 'photo.jpg', data: media('photo-640x480.jpg') },
        'variables.input.audio.upload': { name: 'speech.wav', data: media('speech-16k-pcm16.wav') },
      },
    );
    expect(body.errors).toBeUndefined();
    const { ask } = body.data as AskData;
    expect(ask.perception!.fused).toEqual(['text', 'image', 'audio']);
    expect(ask.perception!.alignment).toBeGreaterThanOrEqual(0);
    expect(ask.perception!.alignment).toBeLessThanOrEqual(1);
    expect(ask.perception!.alignmentSpace).toBe('SHARED');
    const system = ask.context.at(-1)!.content;
    for (const source of ['[image 1, ', '[audio, sound events] ']) expect(system).toContain(source);
    expect(ask.route.reason).toContain('2 media input(s)');
    const episodes = await postGraphql(server.url, { query: EPISODES, variables: { s: 'mm-both' } });
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(nodes(episodes.body)[0]).toMatchObject({
      role: 'user',
      modality: 'multimodal',
      // The media it came with, by content hash: the image, then the audio.
      media: [sha256(media('photo-640x480.jpg')), sha256(media('speech-16k-pcm16.wav'))],
    });
  });

  it('recalls an episode by an image or a sound alone (cross-modal recall), within the caller’s tenant', async () => {
    const asked = await uploadGraphql(
      server.url,
      ASK,
      {
        input: {
          prompt: 'Keep this for later.',
          maxTokens: 2,
          sessionId: 'mm-recall',
          images: [{ upload: null }],
          audio: { upload: null },
        },
      },
      {
        'variables.input.images.0.upload': { name: 'alpha.png', data: media('alpha.png') },
        'variables.input.audio.upload': { name: 'tone.wav', data: media('tone-8k-pcm8.wav') },
      },
    );
    expect(asked.body.errors).toBeUndefined();
    const episodes = await postGraphql(server.url, {
      query: EPISODES_WITH_IDS,
      variables: { s: 'mm-recall' },
    });
    const userTurn = episodes.body.data.episodes.edges[0].node.id as string;
    const RECALL = `query($i: MediaInput, $a: MediaInput) {
      recall(image: $i, audio: $a, tiers: [EPISODIC], first: 3) { id text }
    }`;
    const byImage = await postGraphql(server.url, {
      query: RECALL,
      variables: { i: { base64: media('alpha.png').toString('base64') } },
    });
    expect(byImage.body.errors).toBeUndefined();
    expect(byImage.body.data.recall[0].id).toBe(userTurn);
    const bySound = await postGraphql(server.url, {
      query: RECALL,
      variables: { a: { base64: media('tone-8k-pcm8.wav').toString('base64') } },
    });
    expect(bySound.body.data.recall[0].id).toBe(userTurn);
    const bob = await postGraphql(
      server.url,
      { query: RECALL, variables: { i: { base64: media('alpha.png').toString('base64') } } },
      bearer(KEYS.bob),
    );
    expect(bob.body.data.recall).toEqual([]);
    const nothing = await postGraphql(server.url, { query: '{ recall(tiers: [EPISODIC]) { id } }' });
    expect(nothing.body.errors[0].extensions.code).toBe('BAD_REQUEST');
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

describe('an image nothing is recognized in', () => {
  let server: TestApp;
  beforeAll(async () => {
    // No label can reach a score of 1: every image is "unrecognized".
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false', MNEME_LABEL_MIN_SCORE: '1' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('is answered honestly, without asking the LLM to invent', async () => {
    const { body } = await imageAsk(server.url, 'What is in this photo?', 'mm-unknown');
    expect(body.errors).toBeUndefined();
    const { ask } = body.data as AskData;
    expect(ask.perception!.imagesUnrecognized).toBe(true);
    expect(ask.perception!.images[0]!.usable).toBe(false);
    expect(ask.model).toBe('mneme-perception');
    expect(ask.text).toMatch(/^I can't tell what this image shows: .*best guesses: /);
    const episodes = await postGraphql(server.url, { query: EPISODES, variables: { s: 'mm-unknown' } });
    expect(nodes(episodes.body).map((n) => n.text)).toEqual([
      expect.stringContaining('[attached image: unrecognized]'),
      ask.text,
    ]);
  });
});

describe('multimodal ask on a fresh install (no fitted projections)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false', MNEME_LLM_CONTEXT_SIZE: '2048' });
  });
  afterAll(async () => {
    await server.close();
  });

  const askWith = (prompt: string, files: { image?: boolean; audio?: boolean }) =>
    uploadGraphql(
      server.url,
      ASK,
      {
        input: {
          prompt,
          maxTokens: 4,
          ...(files.image && { images: [{ upload: null }] }),
          ...(files.audio && { audio: { upload: null } }),
        },
      },
      {
        ...(files.image && {
          'variables.input.images.0.upload': { name: 'photo.jpg', data: media('photo-640x480.jpg') },
        }),
        ...(files.audio && {
          'variables.input.audio.upload': { name: 'speech.wav', data: media('speech-16k-pcm16.wav') },
        }),
      },
    );

  it('measures a prompt against audio in CLAP’s own space', async () => {
    const { body } = await askWith('A dog barking in a park', { audio: true });
    expect(body.errors).toBeUndefined();
    const { perception } = (body.data as AskData).ask;
    expect(perception!.fused).toEqual(['text']);
    expect(perception!.alignmentSpace).toBe('NATIVE');
    expect(perception!.alignment).toBeGreaterThanOrEqual(0);
    expect(perception!.alignment).toBeLessThanOrEqual(1);
  });

  it('measures a prompt against an image in CLIP’s own space: the image’s best label stands above the rest', async () => {
    const first = await askWith('What is this?', { image: true });
    const { perception } = (first.body.data as AskData).ask;
    expect(perception!.alignmentSpace).toBe('NATIVE');
    const best = perception!.imageLabels[0]!.label;
    const { body } = await askWith(best, { image: true });
    const labels = server.config.perception.labels.length;
    // It beats the other labels and ties with itself (half a point).
    expect((body.data as AskData).ask.perception!.alignment).toBeCloseTo((labels - 0.5) / labels, 6);
  });
});
