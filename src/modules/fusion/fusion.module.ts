import { Module } from '@nestjs/common';
import { FusionResolver } from './fusion.resolver.js';
import { ProjectionStore } from './projection-store.service.js';

@Module({ providers: [ProjectionStore, FusionResolver], exports: [ProjectionStore] })
export class FusionModule {}
