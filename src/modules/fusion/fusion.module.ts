import { Module } from '@nestjs/common';
import { AudioModule } from '../audio/audio.module.js';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { VisionModule } from '../vision/vision.module.js';
import { FusionResolver } from './fusion.resolver.js';
import { FusionService } from './fusion.service.js';
import { ProjectionStore } from './projection-store.service.js';

@Module({
  imports: [VisionModule, AudioModule, EmbeddingModule],
  providers: [ProjectionStore, FusionResolver, FusionService],
  exports: [ProjectionStore, FusionService],
})
export class FusionModule {}
