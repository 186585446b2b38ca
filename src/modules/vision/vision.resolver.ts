import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { tenantOf, type GqlContext } from '../../graphql/graphql-context.js';
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
    @Context() gql: GqlContext,
  ) {
    tenantOf(gql);
    const [vector] = await this.vision.encode([image], gql.scope?.trace ?? ROOT_CONTEXT);
    return this.toEmbedding(vector!);
  }

  @Query(() => [ImageEmbedding], { description: 'Embed several images in one batch, in the order given.' })
  @Cost((args) => COST.perception * imageList(args).images, { media: imageList })
  async encodeImages(
    @Args('images', { type: () => [MediaInput] }) images: MediaInput[],
    @Context() gql: GqlContext,
  ) {
    tenantOf(gql);
    const vectors = await this.vision.encode(images, gql.scope?.trace ?? ROOT_CONTEXT);
    return vectors.map((v) => this.toEmbedding(v));
  }

  @Query(() => ImageClassification, {
    description: 'Rank labels (or the server’s default set) for one image.',
  })
  @Cost(COST.perception, { media: oneImage })
  async classifyImage(
    @Args('image', { type: () => MediaInput }) image: MediaInput,
    @Args('labels', { type: () => [String], nullable: true }) labels: string[] | undefined,
    @Context() gql: GqlContext,
  ): Promise<ImageClassification> {
    tenantOf(gql);
    const ranked = await this.vision.classify(image, labels, gql.scope?.trace ?? ROOT_CONTEXT);
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
