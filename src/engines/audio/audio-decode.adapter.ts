import decode from 'audio-decode';

// The only file that imports audio-decode (docs/conventions.md rule 1): WebAssembly decoders for compressed
// audio, in process, with no system packages.

export interface DecodedChannels {
  channels: Float32Array[];
  sampleRate: number;
}

export type CompressedCodec = 'mp3' | 'flac' | 'vorbis' | 'opus';

const DECODERS = { mp3: decode.mp3, flac: decode.flac, vorbis: decode.oga, opus: decode.opus } as const;

/** Decodes a whole MP3, FLAC, Ogg Vorbis or Ogg/Opus file at once; throws when the bytes are not decodable. */
export async function decodeCompressedAudio(bytes: Uint8Array): Promise<DecodedChannels> {
  const audio = await decode(bytes);
  return { channels: audio.channelData, sampleRate: audio.sampleRate };
}

/**
 * Decodes the input a chunk at a time, yielding each chunk's samples: a consumer that stops iterating stops the
 * decoding (and frees the decoder), so memory follows what it keeps, not what the file would expand to.
 */
export async function* decodeCompressedChunks(
  chunks: Iterable<Uint8Array>,
  codec: CompressedCodec,
): AsyncGenerator<DecodedChannels> {
  const decoder = await DECODERS[codec]();
  let done = false;
  try {
    for (const chunk of chunks) {
      const audio = await decoder(chunk);
      if (audio.channelData.length) yield { channels: audio.channelData, sampleRate: audio.sampleRate };
    }
    done = true;
    const rest = await decoder();
    if (rest.channelData.length) yield { channels: rest.channelData, sampleRate: rest.sampleRate };
  } finally {
    if (!done) decoder.free();
  }
}
