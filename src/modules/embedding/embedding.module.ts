import { Module } from '@nestjs/common';
import { TextEmbedderService } from './text-embedder.service.js';

/** The text embedder: episodic memory's index, the router's features and fusion's shared space. */
@Module({ providers: [TextEmbedderService], exports: [TextEmbedderService] })
export class EmbeddingModule {}
