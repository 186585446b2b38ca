import { Module } from '@nestjs/common';
import { AudioModule } from '../audio/audio.module.js';
import { VisionModule } from '../vision/vision.module.js';
import { PerceptionService } from './perception.service.js';
import { FusionResolver } from './fusion.resolver.js';
import { ProjectionStore } from './projection-store.service.js';

@Module({
  imports: [VisionModule, AudioModule],
  providers: [ProjectionStore, FusionResolver, PerceptionService],
  exports: [ProjectionStore, PerceptionService],
})
export class FusionModule {}
