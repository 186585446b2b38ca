import decode from 'audio-decode';

// The only file that imports audio-decode (CONVENTIONS.md rule 1): WebAssembly decoders for compressed audio,
// in process, with no system packages.

export interface DecodedChannels {
  channels: Float32Array[];
  sampleRate: number;
}

/** Decodes MP3, FLAC, Ogg Vorbis and Ogg/Opus; throws when the bytes are not decodable audio. */
export async function decodeCompressedAudio(bytes: Buffer): Promise<DecodedChannels> {
  const audio = await decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  return { channels: audio.channelData, sampleRate: audio.sampleRate };
}
