import { Module } from '@nestjs/common';
import { ModelsResolver } from './models.resolver.js';
import { SystemResolver } from './system.resolver.js';

@Module({ providers: [ModelsResolver, SystemResolver] })
export class ModelsModule {}
