import { Module } from '@nestjs/common';
import { ModelsResolver } from './models.resolver.js';

@Module({ providers: [ModelsResolver] })
export class ModelsModule {}
