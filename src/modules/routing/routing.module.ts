import { Module } from '@nestjs/common';
import { MemoryModule } from '../memory/memory.module.js';
import { RoutingResolver } from './routing.resolver.js';
import { RoutingService } from './routing.service.js';

@Module({ imports: [MemoryModule], providers: [RoutingService, RoutingResolver], exports: [RoutingService] })
export class RoutingModule {}
