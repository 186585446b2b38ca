import { Module } from '@nestjs/common';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { RoutingResolver } from './routing.resolver.js';
import { RoutingService } from './routing.service.js';

@Module({
  imports: [EmbeddingModule],
  providers: [RoutingService, RoutingResolver],
  exports: [RoutingService],
})
export class RoutingModule {}
