import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { decodeWav, downmix } from './wav-decoder.js';

// ---- WAV builders -------------------------------------------------------------------------------------------

/** One RIFF chunk; `declared` overrides the size field, and an odd body gets its pad byte. */
function chunk(id: string, body: Buffer, declared = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'ascii');
  header.writeUInt32LE(declared, 4);
  const pad = body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([header, body, pad]);
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

interface Format {
  tag?: number;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  blockAlign?: number;
  /** Write a 40-byte WAVE_FORMAT_EXTENSIBLE chunk (tag 0xFFFE) whose sub-format GUID starts with this. */
  subFormat?: number;
}

function fmt({ tag = 1, channels = 1, sampleRate = 16_000, bits = 16, blockAlign, subFormat }: Format = {}) {
  const align = blockAlign ?? (bits / 8) * channels;
  const body = Buffer.alloc(subFormat === undefined ? 16 : 40);
  body.writeUInt16LE(subFormat === undefined ? tag : 0xfffe, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE((sampleRate * align) >>> 0, 8); // byte rate (wraps for absurd rates)
  body.writeUInt16LE(align, 12);
  body.writeUInt16LE(bits, 14);
  if (subFormat !== undefined) {
    body.writeUInt16LE(22, 16); // cbSize
    body.writeUInt16LE(bits, 18); // valid bits per sample
    body.writeUInt32LE(channels === 1 ? 0x4 : 0x3, 20); // channel mask
    body.writeUInt16LE(subFormat, 24); // GUID xxxx0000-0000-0010-8000-00aa00389b71
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(
      body,
      26,
    );
  }
  return chunk('fmt ', body);
}

const data = (samples: Buffer, declared?: number) => chunk('data', samples, declared);

const pcm8 = (values: number[]) => Buffer.from(values);
function pcm16(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}
function pcm24(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 3);
  values.forEach((v, i) => b.writeIntLE(v, i * 3, 3));
  return b;
}
function pcm32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
}
function float32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}
function float64(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => b.writeDoubleLE(v, i * 8));
  return b;
}

/** Runs `fn`, expects a MnemeError, and returns it for further assertions. */
function errorFrom(fn: () => unknown): MnemeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MnemeError);
    return error as MnemeError;
  }
  throw new Error('expected a MnemeError, but nothing was thrown');
}

const samplesOf = (channel: Float32Array | undefined) => Array.from(channel ?? []);

// ---- tests --------------------------------------------------------------------------------------------------

describe('decodeWav', () => {
  describe('sample formats', () => {
    it('decodes 8-bit unsigned PCM with 128 as silence', () => {
      const wav = riff(fmt({ bits: 8 }), data(pcm8([128, 0, 255, 192, 64])));
      const pcm = decodeWav(wav);
      expect(pcm.sampleRate).toBe(16_000);
      expect(pcm.channels).toHaveLength(1);
      expect(samplesOf(pcm.channels[0])).toEqual([0, -1, 127 / 128, 0.5, -0.5]);
    });

    it('decodes 16-bit signed PCM', () => {
      const wav = riff(fmt({ bits: 16 }), data(pcm16([0, -32768, 32767, 16384, -16384, 1])));
      const [mono] = decodeWav(wav).channels;
      expect(mono![0]).toBe(0);
      expect(mono![1]).toBe(-1);
      expect(mono![2]).toBeCloseTo(32767 / 32768, 6);
      expect(mono![3]).toBe(0.5);
      expect(mono![4]).toBe(-0.5);
      expect(mono![5]).toBeCloseTo(1 / 32768, 9);
    });

    it('decodes 24-bit signed PCM, including the sign of the top byte', () => {
      const wav = riff(fmt({ bits: 24 }), data(pcm24([0, -8388608, 8388607, 4194304, -4194304, -1])));
      const [mono] = decodeWav(wav).channels;
      expect(mono).toHaveLength(6);
      expect(mono![0]).toBe(0);
      expect(mono![1]).toBe(-1);
      expect(mono![2]).toBeCloseTo(1, 6);
      expect(mono![3]).toBe(0.5);
      expect(mono![4]).toBe(-0.5);
      expect(mono![5]).toBeLessThan(0);
      expect(mono![5]).toBeCloseTo(-1 / 8388608, 9);
    });

    it('decodes 32-bit signed PCM', () => {
      const wav = riff(fmt({ bits: 32 }), data(pcm32([0, -2147483648, 2147483647, 1073741824, -1073741824])));
      const [mono] = decodeWav(wav).channels;
      expect(mono).toHaveLength(5);
      expect(mono![0]).toBe(0);
      expect(mono![1]).toBe(-1);
      expect(mono![2]).toBeCloseTo(1, 6);
      expect(mono![3]).toBe(0.5);
      expect(mono![4]).toBe(-0.5);
    });

    it('decodes 32-bit IEEE float', () => {
      const wav = riff(fmt({ tag: 3, bits: 32 }), data(float32([0, -1, 1, 0.25, -0.125])));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0, -1, 1, 0.25, -0.125]);
    });

    it('decodes 64-bit IEEE float', () => {
      const wav = riff(fmt({ tag: 3, bits: 64 }), data(float64([0, -1, 1, 0.75, -0.375])));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0, -1, 1, 0.75, -0.375]);
    });
  });

  describe('layout', () => {
    it('de-interleaves stereo frames into one array per channel', () => {
      const wav = riff(
        fmt({ channels: 2, sampleRate: 44_100 }),
        data(pcm16([16384, -16384, 8192, -8192, 0, -32768])),
      );
      const pcm = decodeWav(wav);
      expect(pcm.sampleRate).toBe(44_100);
      expect(pcm.channels).toHaveLength(2);
      expect(samplesOf(pcm.channels[0])).toEqual([0.5, 0.25, 0]);
      expect(samplesOf(pcm.channels[1])).toEqual([-0.5, -0.25, -1]);
    });

    it('de-interleaves three channels of 24-bit samples', () => {
      const wav = riff(
        fmt({ channels: 3, bits: 24 }),
        data(pcm24([4194304, -4194304, 0, -8388608, 2097152, 4194304])),
      );
      const { channels } = decodeWav(wav);
      expect(channels.map(samplesOf)).toEqual([
        [0.5, -1],
        [-0.5, 0.25],
        [0, 0.5],
      ]);
    });

    it('drops a trailing partial frame', () => {
      // 2 stereo frames of 16 bits (8 bytes) followed by 3 stray bytes.
      const samples = Buffer.concat([pcm16([100, 200, 300, 400]), Buffer.from([1, 2, 3])]);
      const { channels } = decodeWav(riff(fmt({ channels: 2 }), data(samples)));
      expect(channels[0]).toHaveLength(2);
      expect(channels[1]).toHaveLength(2);
    });

    it('reads only the declared data bytes, not a chunk that follows', () => {
      const wav = riff(
        fmt({ bits: 16 }),
        data(pcm16([16384, -16384])),
        chunk('LIST', Buffer.from('INFOjunk', 'ascii')),
      );
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0.5, -0.5]);
    });

    it('decodes WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
      const wav = riff(fmt({ subFormat: 0x0001, bits: 24, channels: 2 }), data(pcm24([-8388608, 4194304])));
      const { channels } = decodeWav(wav);
      expect(channels.map(samplesOf)).toEqual([[-1], [0.5]]);
    });

    it('decodes WAVE_FORMAT_EXTENSIBLE with an IEEE float sub-format', () => {
      const wav = riff(fmt({ subFormat: 0x0003, bits: 32 }), data(float32([-1, 0.5, 0.25])));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([-1, 0.5, 0.25]);
    });

    it('refuses WAVE_FORMAT_EXTENSIBLE with an unsupported sub-format', () => {
      const wav = riff(fmt({ subFormat: 0x0002, bits: 16 }), data(pcm16([0, 0])));
      expect(errorFrom(() => decodeWav(wav)).code).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    });

    it('skips an unknown chunk between fmt and data', () => {
      const wav = riff(
        fmt(),
        chunk('LIST', Buffer.from('INFOISFT\x06\x00\x00\x00Lavf\x00\x00', 'latin1')),
        data(pcm16([-32768, 16384])),
      );
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([-1, 0.5]);
    });

    it('skips an unknown chunk before fmt', () => {
      const wav = riff(chunk('JUNK', Buffer.alloc(28)), fmt(), data(pcm16([16384])));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0.5]);
    });

    it('honours the pad byte after an odd-sized chunk', () => {
      const odd = chunk('odd ', Buffer.from([0xaa, 0xbb, 0xcc]));
      expect(odd).toHaveLength(8 + 3 + 1); // the builder wrote the pad byte; the size field still says 3
      expect(odd.readUInt32LE(4)).toBe(3);
      const wav = riff(fmt(), odd, data(pcm16([16384, -16384])));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0.5, -0.5]);
    });

    it.each([
      ['0', 0],
      ['0xFFFFFFFF', 0xffffffff],
    ])('treats a data size of %s as "to the end of the file" (streamed WAV)', (_name, declared) => {
      const wav = riff(fmt(), data(pcm16([16384, -16384, 8192]), declared));
      expect(samplesOf(decodeWav(wav).channels[0])).toEqual([0.5, -0.5, 0.25]);
    });

    it('returns zero frames for an empty data chunk', () => {
      const { channels } = decodeWav(riff(fmt(), data(Buffer.alloc(0))));
      expect(channels).toHaveLength(1);
      expect(channels[0]).toHaveLength(0);
    });
  });

  describe('malformed files are BAD_AUDIO', () => {
    const cases: [string, () => Buffer][] = [
      ['an empty buffer', () => Buffer.alloc(0)],
      ['a file shorter than the RIFF header', () => Buffer.from('RIFF\x00\x00', 'latin1')],
      [
        'a RIFF that is not WAVE',
        () => {
          const wav = riff(fmt(), data(pcm16([0])));
          wav.write('AVI ', 8, 'ascii');
          return wav;
        },
      ],
      [
        'a file that is not RIFF',
        () => {
          const wav = riff(fmt(), data(pcm16([0])));
          wav.write('RIFX', 0, 'ascii');
          return wav;
        },
      ],
      ['a WAVE with no chunks at all', () => riff()],
      ['a missing fmt chunk', () => riff(data(pcm16([0, 1])))],
      ['a missing fmt chunk with only other chunks', () => riff(chunk('LIST', Buffer.alloc(4)))],
      ['a data chunk before the fmt chunk', () => riff(data(pcm16([0, 1])), fmt())],
      ['no data chunk', () => riff(fmt())],
      ['no data chunk, only other chunks after fmt', () => riff(fmt(), chunk('LIST', Buffer.alloc(6)))],
      ['a fmt chunk that declares fewer than 16 bytes', () => riff(chunk('fmt ', Buffer.alloc(14)))],
      ['a fmt chunk cut off by the end of the file', () => riff(fmt()).subarray(0, 12 + 8 + 10)],
      [
        'a data size larger than the file (a lying header)',
        () => riff(fmt(), data(pcm16([1, 2, 3, 4]), 1_000_000)),
      ],
      ['a data size one byte larger than the file', () => riff(fmt(), data(pcm16([1, 2, 3, 4]), 9))],
      [
        'a block align that does not match channels × bits',
        () => riff(fmt({ blockAlign: 4 }), data(pcm16([1]))),
      ],
      [
        'a stereo header with a mono block align',
        () => riff(fmt({ channels: 2, blockAlign: 2 }), data(pcm16([1, 2]))),
      ],
      ['0 channels', () => riff(fmt({ channels: 0, blockAlign: 2 }), data(pcm16([1])))],
      [
        'an absurd channel count',
        () => riff(fmt({ channels: 33 }), data(pcm16(new Array<number>(33).fill(0)))),
      ],
      ['a sample rate of 0 Hz', () => riff(fmt({ sampleRate: 0 }), data(pcm16([1])))],
      ['a sample rate below 1 kHz', () => riff(fmt({ sampleRate: 999 }), data(pcm16([1])))],
      ['an absurd sample rate', () => riff(fmt({ sampleRate: 4_000_000_000 }), data(pcm16([1])))],
    ];

    it.each(cases)('rejects %s', (_name, build) => {
      const error = errorFrom(() => decodeWav(build(), 'The recording'));
      expect(error.code).toBe(ErrorCode.BAD_AUDIO);
      expect(error.message).toMatch(/^The recording is not a valid WAV file: /);
    });

    it('says which problem it found', () => {
      expect(errorFrom(() => decodeWav(riff(data(pcm16([0])), fmt()))).message).toMatch(/before the fmt/);
      expect(errorFrom(() => decodeWav(riff(fmt()))).message).toMatch(/no data chunk/);
      expect(errorFrom(() => decodeWav(riff(chunk('LIST', Buffer.alloc(4))))).message).toMatch(
        /no fmt chunk/,
      );
      expect(errorFrom(() => decodeWav(riff(fmt(), data(pcm16([1]), 100)))).message).toMatch(
        /promises 100 bytes .* holds 2/,
      );
    });

    it('accepts the sample-rate bounds 1 kHz and 768 kHz', () => {
      expect(decodeWav(riff(fmt({ sampleRate: 1000 }), data(pcm16([0])))).sampleRate).toBe(1000);
      expect(decodeWav(riff(fmt({ sampleRate: 768_000 }), data(pcm16([0])))).sampleRate).toBe(768_000);
      expect(errorFrom(() => decodeWav(riff(fmt({ sampleRate: 768_001 }), data(pcm16([0]))))).code).toBe(
        ErrorCode.BAD_AUDIO,
      );
    });
  });

  describe('unsupported encodings are UNSUPPORTED_MEDIA_TYPE', () => {
    it.each<[string, Format]>([
      ['12-bit PCM', { tag: 1, bits: 12, blockAlign: 2 }],
      ['4-bit PCM', { tag: 1, bits: 4, blockAlign: 1 }],
      ['MS ADPCM (format tag 2)', { tag: 2, bits: 4, blockAlign: 256 }],
      ['A-law (format tag 6)', { tag: 6, bits: 8 }],
      ['µ-law (format tag 7)', { tag: 7, bits: 8 }],
      ['16-bit float', { tag: 3, bits: 16 }],
      ['24-bit float', { tag: 3, bits: 24 }],
      ['64-bit integer PCM', { tag: 1, bits: 64 }],
    ])('refuses %s', (_name, format) => {
      const error = errorFrom(() => decodeWav(riff(fmt(format), data(Buffer.alloc(512)))));
      expect(error.code).toBe(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
      expect(error.message).toContain(`WAV format ${format.tag}`);
    });
  });
});

describe('downmix', () => {
  it('passes a single channel through as the same array', () => {
    const mono = Float32Array.from([0.1, -0.2, 0.3]);
    expect(downmix([mono])).toBe(mono);
  });

  it('averages stereo channels', () => {
    const left = Float32Array.from([1, 0.5, -1, 0.25]);
    const right = Float32Array.from([-1, 0.5, -1, 0.75]);
    expect(Array.from(downmix([left, right]))).toEqual([0, 0.5, -1, 0.5]);
  });

  it('averages any number of channels without touching the inputs', () => {
    const a = Float32Array.from([0.75, 0]);
    const b = Float32Array.from([0, 0.75]);
    const c = Float32Array.from([0.75, 0.75]);
    const out = downmix([a, b, c]);
    expect(out).not.toBe(a);
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(a)).toEqual([0.75, 0]);
  });

  it('returns an empty array for no channels', () => {
    expect(downmix([])).toHaveLength(0);
  });
});
