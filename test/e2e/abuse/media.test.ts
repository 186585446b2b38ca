import { jest } from '@jest/globals';
import { decodeCompressedAudio } from '../../../src/engines/audio/audio-decode.adapter.js';
import { flacBomb } from '../../support/flac-bomb.js';
import { slowestHealthz, toneWav, uploadGraphqlFromChild } from '../../support/probes.js';
import { bearer, KEYS, startTestApp, uploadGraphql, type TestApp } from '../../support/test-app.js';

// Media probes (issue #14, findings 2, 7 and 8): compressed-audio bombs cost memory bounded by the length
// limit, not by what the file would expand to; a corrupt file cannot flood the log; decoding and resampling
// never hold the event loop, so /healthz answers throughout.

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({ MNEME_AUDIO_MAX_SECONDS: '600' });
});
afterAll(() => server.close());

const TRANSCRIBE = 'query($audio: MediaInput!) { transcribe(audio: $audio) { durationSeconds } }';
const transcribe = (name: string, data: Buffer, upload = uploadGraphql) =>
  upload(
    server.url,
    TRANSCRIBE,
    { audio: { upload: null } },
    { 'variables.audio.upload': { name, data } },
    bearer(KEYS.alice),
  );
// While /healthz is probed, the file comes from another process: the megabytes of multipart a client builds and
// streams would otherwise be timed as if the server had held its event loop.
const transcribeFromChild = (name: string, data: Buffer) => transcribe(name, data, uploadGraphqlFromChild);

// Generous against scheduling noise on a shared CI machine (the prober runs in the server's process), far below
// the seconds the probe saw before; `npm run soak` measures the server alone, in its own process.
const RESPONSIVE_MS = 500;

describe('compressed-audio bombs', () => {
  it.each([
    ['declares its two hours', flacBomb({ seconds: 7200 })],
    ['claims one second in STREAMINFO', flacBomb({ seconds: 7200, declaredSeconds: 1 })],
  ])('refuses a 70 KB FLAC that %s, without decoding it', async (_name, bomb) => {
    expect(bomb.length).toBeLessThan(80_000);
    const rssBefore = process.memoryUsage().rss;
    const { result, slowestMs } = await slowestHealthz(server.url, () =>
      transcribeFromChild('bomb.flac', bomb),
    );
    expect(result.body.errors[0].extensions).toMatchObject({
      code: 'AUDIO_TOO_LONG',
      seconds: 7200,
      maxSeconds: 600,
    });
    // Decoded, two hours of 44.1 kHz floats would be 1.3 GB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
    expect(slowestMs).toBeLessThan(RESPONSIVE_MS);
  });
});

describe('a corrupt file', () => {
  // 2,000 frames the frame decoder cannot place (each defers its rate to STREAMINFO): it complains per frame.
  const corruptFlac = () =>
    flacBomb({ seconds: (2000 * 4096) / 44_100, blockSize: 4096, rateFromStreamInfo: true });

  /**
   * Runs `fn` with every console method and both output streams captured (a worker thread's console reaches
   * the process through them); answers what was said.
   */
  async function consoleDuring(fn: () => Promise<unknown>): Promise<unknown[]> {
    const said: unknown[] = [];
    const spies = [
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void said.push(args)),
      ),
      ...[process.stdout, process.stderr].map((stream) =>
        jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => said.push(chunk) > 0),
      ),
    ];
    try {
      await fn();
      await new Promise((r) => setTimeout(r, 100)); // a worker's output arrives a moment later
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return said;
  }

  it('makes the decoder talk when decoded in this thread (the control)', async () => {
    const said = await consoleDuring(() => decodeCompressedAudio(corruptFlac()).catch(() => undefined));
    expect(said.length).toBeGreaterThan(1000);
  });

  it('gets its coded answer without a line of decoder chatter reaching the server’s console', async () => {
    let answer: Awaited<ReturnType<typeof transcribe>> | undefined;
    const said = await consoleDuring(async () => (answer = await transcribe('corrupt.flac', corruptFlac())));
    expect(answer?.status).toBe(200);
    expect(answer?.body.errors[0]).toMatchObject({
      message: 'The audio holds no decodable samples.',
      extensions: { code: 'BAD_AUDIO' },
    });
    expect(said).toEqual([]);
  });
});

describe('the event loop stays free', () => {
  it('answers /healthz while a two-minute WAV is decoded, resampled and transcribed', async () => {
    const wav = toneWav(120, 22_050);
    const { result, slowestMs, probes } = await slowestHealthz(server.url, () =>
      transcribeFromChild('long.wav', wav),
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.transcribe.durationSeconds).toBe(120);
    expect(probes).toBeGreaterThan(10);
    expect(slowestMs).toBeLessThan(RESPONSIVE_MS);
  }, 120_000);
});
