/** Formats recognised from their first bytes; a client's file name or MIME type is never trusted. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';
export type AudioFormat = 'wav' | 'mp3' | 'flac' | 'ogg';
export type MediaFormat = ImageFormat | AudioFormat;

export const IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'];

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

export function sniffMedia(bytes: Uint8Array): MediaFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return 'wav';
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*')) return 'tiff';
  if (ascii(bytes, 4, 'ftypavif') || ascii(bytes, 4, 'ftypavis')) return 'avif';
  if (ascii(bytes, 0, 'fLaC')) return 'flac';
  if (ascii(bytes, 0, 'OggS')) return 'ogg';
  // MPEG audio frame sync with a non-zero layer (layer bits 00 are AAC's ADTS, not MP3).
  const b1 = bytes[1] ?? 0;
  if (ascii(bytes, 0, 'ID3') || (bytes[0] === 0xff && (b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0))
    return 'mp3';
  return undefined;
}

export function isImageFormat(format: MediaFormat | undefined): format is ImageFormat {
  return format !== undefined && (IMAGE_FORMATS as readonly string[]).includes(format);
}
