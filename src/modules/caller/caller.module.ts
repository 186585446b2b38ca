import { Module } from '@nestjs/common';
import { CallerResolver } from './caller.resolver.js';

@Module({ providers: [CallerResolver] })
export class CallerModule {}
