import { Module } from '@nestjs/common';
import { FusionModule } from '../fusion/fusion.module.js';
import { MemoryModule } from '../memory/memory.module.js';
import { RecallResolver } from './recall.resolver.js';

/** Recall by words, image or sound: above memory and fusion, so neither has to know the other. */
@Module({ imports: [MemoryModule, FusionModule], providers: [RecallResolver] })
export class RecallModule {}
