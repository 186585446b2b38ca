import { media, postGraphql, startTestApp, uploadGraphql, type TestApp } from '../support/test-app.js';

const TRANSCRIBE =
  'query($audio: MediaInput!) { transcribe(audio: $audio) { text language durationSeconds model } }';
const ENCODE =
  'query($audio: MediaInput!) { encodeAudio(audio: $audio) { dims model durationSeconds embedding } }';

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({ MNEME_MEDIA_MAX_BYTES: String(256 * 1024), MNEME_AUDIO_MAX_SECONDS: '60' });
});
afterAll(() => server.close());

const upload = (name: string, query: string, data = media(name)) =>
  uploadGraphql(server.url, query, { audio: { upload: null } }, { 'variables.audio.upload': { name, data } });

describe('transcribe', () => {
  it.each([
    ['speech-16k-pcm16.wav', 1.5],
    ['tone-16k-float32.wav', 1],
    ['stereo-44k1-pcm16.wav', 1],
  ])('transcribes an uploaded %s with the Whisper fixture', async (name, seconds) => {
    const { status, body } = await upload(name, TRANSCRIBE);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.transcribe).toMatchObject({
      model: 'tiny-whisper',
      durationSeconds: seconds,
      language: null,
    });
    expect(typeof body.data.transcribe.text).toBe('string');
  });

  it.each([
    ['speech.flac', 1.5],
    ['stereo.mp3', 1],
    ['speech.ogg', 1.5],
    ['speech.opus', 1.5],
  ])('decodes compressed %s and transcribes it', async (name, seconds) => {
    const { body } = await upload(name, TRANSCRIBE);
    expect(body.errors).toBeUndefined();
    // Encoders pad a little (MP3 frames, Opus pre-skip): the duration is close to the source's, not exact.
    expect(body.data.transcribe.durationSeconds).toBeGreaterThan(seconds * 0.95);
    expect(body.data.transcribe.durationSeconds).toBeLessThan(seconds + 0.2);
  });

  it('takes base64 and echoes the requested language', async () => {
    const { body } = await postGraphql(server.url, {
      query:
        'query($audio: MediaInput!) { transcribe(audio: $audio, language: "en") { language durationSeconds } }',
      variables: { audio: { base64: media('speech-16k-pcm16.wav').toString('base64') } },
    });
    expect(body.data.transcribe).toEqual({ language: 'en', durationSeconds: 1.5 });
  });
});

describe('encodeAudio', () => {
  it('embeds a stereo 44.1 kHz clip as one unit vector in the CLAP space', async () => {
    const { body } = await upload('stereo-44k1-pcm16.wav', ENCODE);
    const result = body.data.encodeAudio;
    expect(result).toMatchObject({ dims: 32, model: 'tiny-clap', durationSeconds: 1 });
    expect(Math.hypot(...(result.embedding as number[]))).toBeCloseTo(1, 4);
  });
});

describe('bad audio gets its code, and the next good request still works', () => {
  it.each([
    ['lying-header.wav', 'BAD_AUDIO', media('lying-header.wav')],
    ['empty.wav', 'BAD_AUDIO', Buffer.alloc(0)],
    ['song.mp3', 'BAD_AUDIO', Buffer.concat([Buffer.from('ID3'), Buffer.alloc(512, 1)])],
    ['photo.wav', 'UNSUPPORTED_MEDIA_TYPE', media('alpha.png')],
    [
      'huge.wav',
      'PAYLOAD_TOO_LARGE',
      Buffer.concat([media('stereo-44k1-pcm16.wav'), Buffer.alloc(200 * 1024)]),
    ],
  ])('%s → %s', async (name, code, data) => {
    const bad = await upload(name, TRANSCRIBE, data);
    expect(bad.body.errors[0].extensions.code).toBe(code);
    expect(bad.body.errors[0].message).toMatch(/.{20,}/);
    const good = await upload('tone-16k-float32.wav', ENCODE);
    expect(good.body.data.encodeAudio.dims).toBe(32);
  });

  it('refuses audio longer than MNEME_AUDIO_MAX_SECONDS with AUDIO_TOO_LONG', async () => {
    const tight = await startTestApp({ MNEME_AUDIO_MAX_SECONDS: '1' });
    try {
      const { body } = await uploadGraphql(
        tight.url,
        TRANSCRIBE,
        { audio: { upload: null } },
        { 'variables.audio.upload': { name: 'speech.wav', data: media('speech-16k-pcm16.wav') } },
      );
      expect(body.errors[0].extensions).toMatchObject({ code: 'AUDIO_TOO_LONG', maxSeconds: 1 });
    } finally {
      await tight.close();
    }
  });

  it('says which formats it accepts', async () => {
    const { body } = await postGraphql(server.url, { query: '{ audioFormats }' });
    expect(body.data.audioFormats).toEqual(['wav', 'mp3', 'flac', 'ogg-vorbis', 'ogg-opus']);
  });
});
