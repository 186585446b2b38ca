import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module.js';
import { ClipEncoder } from './clip-encoder.service.js';
import { VisionResolver } from './vision.resolver.js';
import { VisionService } from './vision.service.js';

@Module({
  imports: [MediaModule],
  providers: [ClipEncoder, VisionService, VisionResolver],
  exports: [VisionService],
})
export class VisionModule {}
