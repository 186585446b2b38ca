import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flacBomb } from '../../../test/support/flac-bomb.js';
import { AUDIO_FORMATS, decodeAudio } from './audio-decoder.js';

/** A plain 16-bit PCM WAV of interleaved frames. */
function wav16(channels: number, sampleRate: number, interleaved: number[]): Buffer {
  const samples = Buffer.alloc(interleaved.length * 2);
  interleaved.forEach((v, i) => samples.writeInt16LE(v, i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

async function errorFrom(fn: () => Promise<unknown>): Promise<MnemeError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MnemeError);
    return error as MnemeError;
  }
  throw new Error('expected a MnemeError, but nothing was thrown');
}

const media = (bytes: Buffer, label = 'clip.bin') => ({ bytes, label });

/** Recomputes the CRC of the Ogg page at `page` after its bytes were changed. */
function resealOggPage(bytes: Buffer, page: number): void {
  bytes.writeUInt32LE(0, page + 22);
  const segments = bytes[page + 26]!;
  const body = [...bytes.subarray(page + 27, page + 27 + segments)].reduce((n, lace) => n + lace, 0);
  let crc = 0;
  for (const byte of bytes.subarray(page, page + 27 + segments + body)) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  bytes.writeUInt32LE(crc >>> 0, page + 22);
}
const tail = Buffer.alloc(64, 0x55);

describe('decodeAudio', () => {
  it('advertises the decodable formats', () => {
    expect(AUDIO_FORMATS).toEqual(['wav', 'mp3', 'flac', 'ogg-vorbis', 'ogg-opus']);
  });

  it('refuses empty input as BAD_AUDIO', async () => {
    const error = await errorFrom(() => decodeAudio(media(Buffer.alloc(0)), 60, 'The clip'));
    expect(error.code).toBe(ErrorCode.BAD_AUDIO);
    expect(error.message).toContain('The clip');
    expect(error.message).toContain('empty');
  });

  it.each([
    ['MP3', Buffer.concat([Buffer.from('ID3\x04\x00\x00', 'latin1'), tail])],
    ['FLAC', Buffer.concat([Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'), tail])],
    ['Ogg', Buffer.concat([Buffer.from('OggS\x00\x02', 'latin1'), tail])],
  ])('refuses a corrupt %s as BAD_AUDIO', async (_name, bytes) => {
    const error = await errorFrom(() => decodeAudio(media(bytes, 'song.xyz'), 60, 'The clip'));
    expect(error.code).toBe(ErrorCode.BAD_AUDIO);
    expect(error.message).toContain('The clip');
  });

  it.each([
    ['PNG', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), tail])],
    ['unrecognised bytes', Buffer.from('hello, world, this is text', 'ascii')],
  ])('refuses %s as UNSUPPORTED_MEDIA_TYPE, naming the accepted formats', async (_name, bytes) => {
    const error = await errorFrom(() => decodeAudio(media(bytes, 'song.xyz'), 60, 'The clip'));
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    expect(error.message).toMatch(/WAV, MP3, FLAC or Ogg/);
    expect(error.message).toContain('song.xyz');
  });

  it('decodes a stereo WAV to mono by averaging the channels', async () => {
    // L/R pairs: (0.5, -0.5), (0.5, 0.5), (-1, 0), (0.25, 0.75)
    const bytes = wav16(2, 8000, [16384, -16384, 16384, 16384, -32768, 0, 8192, 24576]);
    const audio = await decodeAudio(media(bytes, 'stereo.wav'), 60, 'The clip');
    expect(audio.sampleRate).toBe(8000);
    expect(audio.channels).toBe(2);
    expect(Array.from(audio.samples)).toEqual([0, 0.5, -0.5, 0.5]);
    expect(audio.seconds).toBeCloseTo(4 / 8000, 12);
  });

  it('passes a mono WAV through and reports its duration', async () => {
    const frames = 16_000 * 2.5;
    const bytes = wav16(1, 16_000, new Array<number>(frames).fill(16384));
    const audio = await decodeAudio(media(bytes), 30, 'The clip');
    expect(audio.channels).toBe(1);
    expect(audio.sampleRate).toBe(16_000);
    expect(audio.samples).toHaveLength(frames);
    expect(audio.samples[0]).toBe(0.5);
    expect(audio.samples[frames - 1]).toBe(0.5);
    expect(audio.seconds).toBe(2.5);
  });

  it('accepts audio exactly at the limit', async () => {
    const bytes = wav16(1, 8000, new Array<number>(8000 * 2).fill(0));
    expect((await decodeAudio(media(bytes), 2, 'The clip')).seconds).toBe(2);
  });

  it('refuses audio longer than the limit as AUDIO_TOO_LONG, with the numbers in details', async () => {
    const bytes = wav16(2, 8000, new Array<number>(8000 * 2 * 3 + 2).fill(0)); // 3 s and one frame
    const error = await errorFrom(() => decodeAudio(media(bytes), 3, 'The clip'));
    expect(error.code).toBe(ErrorCode.AUDIO_TOO_LONG);
    expect(error.details).toEqual({ seconds: 3 + 1 / 8000, maxSeconds: 3 });
    expect(error.message).toContain('the limit is 3 s');
  });

  it('refuses a WAV with zero frames as BAD_AUDIO', async () => {
    const error = await errorFrom(() => decodeAudio(media(wav16(1, 16_000, [])), 60, 'The clip'));
    expect(error.code).toBe(ErrorCode.BAD_AUDIO);
    expect(error.message).toContain('no decodable samples');
  });

  it('refuses a WAV whose data holds less than one frame as BAD_AUDIO', async () => {
    // A stereo 16-bit frame is 4 bytes; the data chunk holds 2.
    const error = await errorFrom(() => decodeAudio(media(wav16(2, 16_000, [1000])), 60, 'The clip'));
    expect(error.code).toBe(ErrorCode.BAD_AUDIO);
  });

  it('passes WAV parsing errors through with the caller’s wording', async () => {
    const bytes = wav16(1, 16_000, [1, 2, 3, 4]);
    bytes.writeUInt32LE(1_000_000, 40); // the header promises far more data than there is
    const error = await errorFrom(() => decodeAudio(media(bytes), 60, 'The voice note'));
    expect(error.code).toBe(ErrorCode.BAD_AUDIO);
    expect(error.message).toMatch(/^The voice note is not a valid WAV file/);
  });

  describe('compressed audio never costs more memory than the limit allows', () => {
    const fixture = (name: string) => readFileSync(path.resolve('test/fixtures/media', name));

    it.each([
      ['a FLAC bomb that says so', flacBomb({ seconds: 7200 })],
      ['a FLAC bomb whose STREAMINFO says one second', flacBomb({ seconds: 7200, declaredSeconds: 1 })],
    ])('refuses %s from its frame headers, before decoding', async (_name, bytes) => {
      expect(bytes.length).toBeLessThan(80_000);
      const error = await errorFrom(() => decodeAudio(media(bytes), 600, 'The clip'));
      expect(error.code).toBe(ErrorCode.AUDIO_TOO_LONG);
      // The length in the details is the declared one: only the header check knows it; decoding would not.
      expect(error.details).toEqual({ seconds: 7200, maxSeconds: 600 });
    });

    it('decodes a FLAC within the limit', async () => {
      const audio = await decodeAudio(media(flacBomb({ seconds: 3 })), 600, 'The clip');
      expect(audio.seconds).toBe(3);
      expect(audio.samples[1000]).toBeCloseTo(0.125, 5);
    });

    it.each([
      ['Ogg Vorbis', 'speech.ogg'],
      ['Ogg Opus', 'speech.opus'],
      ['MP3', 'stereo.mp3'],
    ])('refuses an %s longer than the limit from its declared length', async (_name, file) => {
      const error = await errorFrom(() => decodeAudio(media(fixture(file)), 0.5, 'The clip'));
      expect(error.code).toBe(ErrorCode.AUDIO_TOO_LONG);
      expect(error.details?.seconds).toBeGreaterThan(1);
    });

    it('stops decoding an MP3 without a Xing header as soon as it passes the limit', async () => {
      const bytes = Buffer.from(fixture('stereo.mp3'));
      bytes.write(
        'None',
        bytes.indexOf('Xing') >= 0 ? bytes.indexOf('Xing') : bytes.indexOf('Info'),
        'latin1',
      );
      const error = await errorFrom(() => decodeAudio(media(bytes), 0.5, 'The clip'));
      expect(error.code).toBe(ErrorCode.AUDIO_TOO_LONG);
      // Refused while streaming: the full length was never decoded, so none is reported.
      expect(error.details).toEqual({ maxSeconds: 0.5 });
      expect((await decodeAudio(media(bytes), 10, 'The clip')).seconds).toBeGreaterThan(0.9);
    });

    it('refuses a stream whose header claims a rate no recording has, instead of decoding it', async () => {
      const bytes = Buffer.from(fixture('speech.ogg'));
      const identification = 27 + bytes[26]!; // the first page's body: the Vorbis identification header
      bytes.writeUInt32LE(4_000_000, identification + 12);
      resealOggPage(bytes, 0);
      const error = await errorFrom(() => decodeAudio(media(bytes), 600, 'The clip'));
      expect(error.code).toBe(ErrorCode.BAD_AUDIO);
      expect(error.message).toContain('4000000 Hz is past what is decoded');
    });
  });
});
