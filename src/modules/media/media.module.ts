import { Module } from '@nestjs/common';
import { MediaReader } from './media-reader.service.js';

@Module({ providers: [MediaReader], exports: [MediaReader] })
export class MediaModule {}
