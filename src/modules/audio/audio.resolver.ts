import { Args, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, oneClip } from '../../graphql/query-cost.js';
import { MediaInput } from '../media/media-input.js';
import { AUDIO_FORMATS } from './audio-decoder.js';
import { AudioService } from './audio.service.js';
import { AudioEmbedding } from './models/audio-embedding.model.js';
import { Transcription } from './models/transcription.model.js';

@Resolver()
export class AudioResolver {
  constructor(private readonly audio: AudioService) {}

  @Query(() => Transcription, {
    description: 'Speech to text. Long audio is transcribed in overlapping windows.',
  })
  @Cost(COST.perception, { media: oneClip })
  async transcribe(
    @Args('audio', { type: () => MediaInput }) audio: MediaInput,
    @Args('language', { type: () => String, nullable: true, description: 'e.g. "en"; Whisper models only' })
    language: string | undefined,
    @Caller() caller: CallContext,
  ): Promise<Transcription> {
    if (language !== undefined && language !== null && !/^[a-z]{2,3}$|^[a-z]+$/i.test(language)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        'language must be a language code such as "en" or a name such as "english".',
      );
    }
    const result = await this.audio.transcribe(audio, language ?? undefined, caller.trace, caller.signal);
    return {
      text: result.text,
      language: result.language,
      durationSeconds: result.seconds,
      model: result.model,
    };
  }

  @Query(() => AudioEmbedding, { description: 'Embed an audio clip with the audio model.' })
  @Cost(COST.perception, { media: oneClip })
  async encodeAudio(
    @Args('audio', { type: () => MediaInput }) audio: MediaInput,
    @Caller() caller: CallContext,
  ) {
    const result = await this.audio.encode(audio, caller.trace, caller.signal);
    return {
      embedding: Array.from(result.vector),
      dims: result.vector.length,
      model: result.model,
      durationSeconds: result.seconds,
    } satisfies AudioEmbedding;
  }

  @Query(() => [String], { description: 'Audio formats this server decodes.' })
  audioFormats(): string[] {
    return [...AUDIO_FORMATS];
  }
}
