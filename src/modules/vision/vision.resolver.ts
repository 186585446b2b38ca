import { Args, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, imageList, oneImage } from '../../graphql/query-cost.js';
import { MediaInput } from '../media/media-input.js';
import { ImageClassification } from './models/image-classification.model.js';
import { ImageEmbedding } from './models/image-embedding.model.js';
import { VisionService, type ImageVector } from './vision.service.js';

@Resolver()
export class VisionResolver {
  constructor(private readonly vision: VisionService) {}

  @Query(() => ImageEmbedding, { description: 'Embed one image with the vision model.' })
  @Cost(COST.perception, { media: oneImage })
  async encodeImage(
    @Args('image', { type: () => MediaInput }) image: MediaInput,
    @Caller() caller: CallContext,
  ) {
    const [vector] = await this.vision.encode([image], caller.trace);
    return this.toEmbedding(vector!);
  }

  @Query(() => [ImageEmbedding], { description: 'Embed several images in one batch, in the order given.' })
  @Cost((args) => COST.perception * imageList(args).images, { media: imageList })
  async encodeImages(
    @Args('images', { type: () => [MediaInput] }) images: MediaInput[],
    @Caller() caller: CallContext,
  ) {
    const vectors = await this.vision.encode(images, caller.trace);
    return vectors.map((v) => this.toEmbedding(v));
  }

  @Query(() => ImageClassification, {
    description: 'Rank labels (or the server’s default set) for one image.',
  })
  @Cost(COST.perception, { media: oneImage })
  async classifyImage(
    @Args('image', { type: () => MediaInput }) image: MediaInput,
    @Args('labels', { type: () => [String], nullable: true }) labels: string[] | undefined,
    @Caller() caller: CallContext,
  ): Promise<ImageClassification> {
    const ranked = await this.vision.classify(image, labels, caller.trace);
    return { labels: ranked, model: this.vision.modelName };
  }

  private toEmbedding(image: ImageVector): ImageEmbedding {
    return {
      embedding: Array.from(image.vector),
      dims: image.vector.length,
      model: this.vision.modelName,
      width: image.width,
      height: image.height,
    };
  }
}
