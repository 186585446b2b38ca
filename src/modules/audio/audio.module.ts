import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module.js';
import { AudioEmbedder } from './audio-embedder.service.js';
import { AudioResolver } from './audio.resolver.js';
import { AudioService } from './audio.service.js';
import { AudioWorkers } from './audio-workers.service.js';
import { SpeechToText } from './speech-recognizer.service.js';

@Module({
  imports: [MediaModule],
  providers: [SpeechToText, AudioEmbedder, AudioWorkers, AudioService, AudioResolver],
  exports: [AudioService],
})
export class AudioModule {}
