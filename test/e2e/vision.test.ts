import {
  KEYS,
  bearer,
  media,
  postGraphql,
  startTestApp,
  uploadGraphql,
  type TestApp,
} from '../support/test-app.js';

const ENCODE =
  'query($image: MediaInput!) { encodeImage(image: $image) { dims model width height embedding } }';
const CLASSIFY =
  'query($image: MediaInput!, $labels: [String!]) { classifyImage(image: $image, labels: $labels) { model labels { label score } } }';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({
    MNEME_MEDIA_MAX_BYTES: String(64 * 1024),
    MNEME_IMAGE_MAX_PIXELS: '20000000',
  });
});
afterAll(() => server.close());

const upload = (
  name: string,
  query = ENCODE,
  variables: Record<string, unknown> = { image: { upload: null } },
) => uploadGraphql(server.url, query, variables, { 'variables.image.upload': { name, data: media(name) } });

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('encodeImage', () => {
  it('embeds an uploaded JPEG, honouring its EXIF orientation', async () => {
    const { status, body } = await upload('rotated-exif6.jpg');
    expect(status).toBe(200);
    const result = body.data.encodeImage;
    expect(result).toMatchObject({ dims: 32, model: 'tiny-clip', width: 32, height: 64 });
    expect(result.embedding).toHaveLength(32);
    expect(norm(result.embedding)).toBeCloseTo(1, 4);
  });

  it.each(['alpha.png', 'image.webp', 'image.gif', 'photo-640x480.jpg'])(
    'embeds %s sent as base64',
    async (name) => {
      const { body } = await postGraphql(server.url, {
        query: ENCODE,
        variables: { image: { base64: media(name).toString('base64') } },
      });
      expect(body.errors).toBeUndefined();
      expect(body.data.encodeImage.dims).toBe(32);
      expect(norm(body.data.encodeImage.embedding)).toBeCloseTo(1, 4);
    },
  );

  it('gives the same embedding for the same image sent as a data URL and as an upload', async () => {
    const dataUrl = `data:image/png;base64,${media('alpha.png').toString('base64')}`;
    const viaBase64 = await postGraphql(server.url, {
      query: ENCODE,
      variables: { image: { base64: dataUrl } },
    });
    const viaUpload = await upload('alpha.png');
    const a: number[] = viaBase64.body.data.encodeImage.embedding;
    const b: number[] = viaUpload.body.data.encodeImage.embedding;
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 5));
  });

  it('embeds several images in one request, in order', async () => {
    const names = ['alpha.png', 'image.webp', 'rotated-exif6.jpg'];
    const files = Object.fromEntries(
      names.map((n, i) => [`variables.images.${i}.upload`, { name: n, data: media(n) }]),
    );
    const { body } = await uploadGraphql(
      server.url,
      'query($images: [MediaInput!]!) { encodeImages(images: $images) { width height dims } }',
      { images: names.map(() => ({ upload: null })) },
      files,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.encodeImages).toEqual([
      { width: 48, height: 48, dims: 32 },
      { width: 80, height: 60, dims: 32 },
      { width: 32, height: 64, dims: 32 },
    ]);
  });
});

describe('classifyImage', () => {
  it('ranks the given labels with probabilities that sum to 1', async () => {
    const labels = ['a cat', 'a dog', 'a red square', 'a car'];
    const { body } = await upload('alpha.png', CLASSIFY, { image: { upload: null }, labels });
    const ranked: { label: string; score: number }[] = body.data.classifyImage.labels;
    expect(ranked.map((r) => r.label).sort()).toEqual([...labels].sort());
    expect(ranked.reduce((s, r) => s + r.score, 0)).toBeCloseTo(1, 5);
    for (let i = 1; i < ranked.length; i++)
      expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
  });

  it('uses the default label set when none is given', async () => {
    const { body } = await upload('image.webp', CLASSIFY, { image: { upload: null } });
    expect(body.data.classifyImage.labels.length).toBe(30);
  });
});

describe('bad images get their code, and the next good request still works', () => {
  it.each([
    ['truncated.jpg', 'BAD_IMAGE'],
    ['random-bytes.png', 'UNSUPPORTED_MEDIA_TYPE'],
    ['empty.jpg', 'BAD_IMAGE'],
    ['bomb-30000x30000.png', 'PAYLOAD_TOO_LARGE'],
  ])('%s → %s', async (name, code) => {
    const bad = await upload(name);
    expect(bad.body.errors[0].extensions.code).toBe(code);
    expect(bad.body.errors[0].message).toMatch(/.{20,}/);
    const good = await upload('alpha.png');
    expect(good.body.data.encodeImage.dims).toBe(32);
  });

  it('refuses an over-size upload and over-size base64 before decoding', async () => {
    const big = Buffer.concat([media('photo-640x480.jpg'), Buffer.alloc(70 * 1024)]);
    const viaUpload = await uploadGraphql(
      server.url,
      ENCODE,
      { image: { upload: null } },
      {
        'variables.image.upload': { name: 'big.jpg', data: big },
      },
    );
    expect(viaUpload.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const viaBase64 = await postGraphql(server.url, {
      query: ENCODE,
      variables: { image: { base64: big.toString('base64') } },
    });
    expect(viaBase64.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('asks for exactly one of upload or base64, and valid base64', async () => {
    const neither = await postGraphql(server.url, { query: ENCODE, variables: { image: {} } });
    expect(neither.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const garbage = await postGraphql(server.url, {
      query: ENCODE,
      variables: { image: { base64: '%%% not base64 %%%' } },
    });
    expect(garbage.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('needs a key like every other operation', async () => {
    const { status } = await postGraphql(
      server.url,
      { query: ENCODE, variables: { image: { base64: 'AAAA' } } },
      {},
    );
    expect(status).toBe(401);
    expect(bearer(KEYS.alice).authorization).toContain('Bearer');
  });
});
