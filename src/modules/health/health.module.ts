import { Module } from '@nestjs/common';
import { MemoryModule } from '../memory/memory.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [MemoryModule], controllers: [HealthController] })
export class HealthModule {}
