import { Module } from '@nestjs/common';
import { RoutingResolver } from './routing.resolver.js';
import { RoutingService } from './routing.service.js';

@Module({ providers: [RoutingService, RoutingResolver], exports: [RoutingService] })
export class RoutingModule {}
