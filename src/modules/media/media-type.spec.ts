import { IMAGE_FORMATS, isImageFormat, sniffMedia, type MediaFormat } from './media-type.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** Trailing payload so every sample looks like the start of a real file, not just its magic number. */
const tail = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70];

describe('sniffMedia', () => {
  it.each<[string, Buffer, MediaFormat]>([
    ['JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0], tail), 'jpeg'],
    ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1], tail), 'jpeg'],
    ['PNG', bytes([0x89], 'PNG\r\n\x1a\n', tail), 'png'],
    ['GIF87a', bytes('GIF87a', tail), 'gif'],
    ['GIF89a', bytes('GIF89a', tail), 'gif'],
    ['WebP', bytes('RIFF', [0x24, 0x00, 0x00, 0x00], 'WEBPVP8 ', tail), 'webp'],
    ['WAV', bytes('RIFF', [0x24, 0x08, 0x00, 0x00], 'WAVEfmt ', tail), 'wav'],
    ['TIFF little-endian', bytes('II', [0x2a, 0x00], tail), 'tiff'],
    ['TIFF big-endian', bytes('MM', [0x00, 0x2a], tail), 'tiff'],
    ['AVIF image', bytes([0x00, 0x00, 0x00, 0x20], 'ftypavif', tail), 'avif'],
    ['AVIF sequence', bytes([0x00, 0x00, 0x00, 0x1c], 'ftypavis', tail), 'avif'],
    ['FLAC', bytes('fLaC', [0x00, 0x00, 0x00, 0x22], tail), 'flac'],
    ['Ogg', bytes('OggS', [0x00, 0x02], tail), 'ogg'],
    ['MP3 with an ID3 tag', bytes('ID3', [0x04, 0x00, 0x00], tail), 'mp3'],
    ['MP3 frame sync (MPEG-1 layer III)', bytes([0xff, 0xfb, 0x90, 0x64], tail), 'mp3'],
    ['MP3 frame sync (MPEG-2 layer III)', bytes([0xff, 0xf3, 0x44, 0xc4], tail), 'mp3'],
    ['MP3 frame sync (MPEG-2.5 layer III)', bytes([0xff, 0xe3]), 'mp3'],
  ])('recognises %s', (_name, sample, format) => {
    expect(sniffMedia(sample)).toBe(format);
  });

  it('recognises a bare magic number with nothing after it', () => {
    expect(sniffMedia(bytes([0xff, 0xd8, 0xff]))).toBe('jpeg');
    expect(sniffMedia(bytes('GIF89a'))).toBe('gif');
    expect(sniffMedia(bytes('ID3'))).toBe('mp3');
    expect(sniffMedia(bytes('fLaC'))).toBe('flac');
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    expect(sniffMedia(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
  });

  it.each<[string, Buffer]>([
    ['plain text', bytes('hello, world')],
    ['a PDF', bytes('%PDF-1.7', tail)],
    ['a ZIP', bytes('PK', [0x03, 0x04], tail)],
    ['RIFF that is neither WebP nor WAV (AVI)', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST', tail)],
    ['an ISO-BMFF file that is not AVIF (HEIC)', bytes([0, 0, 0, 0x18], 'ftypheic', tail)],
    ['ftypavif at the wrong offset', bytes('ftypavif', tail)],
    ['a GIF with an unknown version', bytes('GIF88a', tail)],
    ['a PNG signature with one byte wrong', bytes([0x89], 'PNG\r\n\x1a\x0b', tail)],
    ['TIFF with mixed byte order', bytes('IM', [0x2a, 0x00], tail)],
    ['0xFF followed by a non-sync byte', bytes([0xff, 0x00, 0x00, 0x00])],
    ['all zeros', Buffer.alloc(16)],
  ])('returns undefined for %s', (_name, sample) => {
    expect(sniffMedia(sample)).toBeUndefined();
  });

  it.each<[string, Buffer]>([
    ['empty input', Buffer.alloc(0)],
    ['one byte of a JPEG', bytes([0xff])],
    ['two bytes of a JPEG', bytes([0xff, 0xd8])],
    ['a truncated PNG signature', bytes([0x89], 'PNG\r\n')],
    ['a truncated GIF signature', bytes('GIF8')],
    ['RIFF with no form type', bytes('RIFF', [0, 0, 0, 0])],
    ['RIFF with a truncated WEBP form type', bytes('RIFF', [0, 0, 0, 0], 'WEB')],
    ['a truncated TIFF header', bytes('II', [0x2a])],
    ['a truncated ftyp box', bytes([0, 0, 0, 0x20], 'ftypavi')],
    ['a truncated FLAC marker', bytes('fLa')],
    ['a truncated ID3 tag', bytes('ID')],
  ])('returns undefined for inputs too short to decide (%s)', (_name, sample) => {
    expect(sniffMedia(sample)).toBeUndefined();
  });
});

describe('isImageFormat', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const)('is true for %s', (format) => {
    expect(isImageFormat(format)).toBe(true);
  });

  it.each(['wav', 'mp3', 'flac', 'ogg'] as const)('is false for the audio format %s', (format) => {
    expect(isImageFormat(format)).toBe(false);
  });

  it('is false for undefined (unrecognised bytes)', () => {
    expect(isImageFormat(undefined)).toBe(false);
    expect(isImageFormat(sniffMedia(Buffer.from('not media')))).toBe(false);
  });

  it('agrees with IMAGE_FORMATS and with sniffMedia on real magic numbers', () => {
    expect([...IMAGE_FORMATS].sort()).toEqual(['avif', 'gif', 'jpeg', 'png', 'tiff', 'webp']);
    expect(isImageFormat(sniffMedia(bytes('GIF89a')))).toBe(true);
    expect(isImageFormat(sniffMedia(bytes('OggS')))).toBe(false);
  });
});
