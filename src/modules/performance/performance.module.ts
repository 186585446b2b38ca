import { Module } from '@nestjs/common';
import { MemoryModule } from '../memory/memory.module.js';
import { AlertBus } from './alert-bus.js';
import { MetricsController } from './metrics.controller.js';
import { PerformanceResolver } from './performance.resolver.js';
import { SloService } from './slo.service.js';

@Module({
  imports: [MemoryModule],
  providers: [AlertBus, SloService, PerformanceResolver],
  controllers: [MetricsController],
  exports: [SloService],
})
export class PerformanceModule {}
