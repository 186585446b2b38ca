import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';

@InputType({
  description:
    'One image or audio file: exactly one of `upload` (GraphQL multipart request) or `base64` (plain or a data: URL). ' +
    'The server never fetches URLs.',
})
export class MediaInput {
  @Field(() => GraphQLUpload, {
    nullable: true,
    description: 'A file sent with the GraphQL multipart request spec.',
  })
  @IsOptional()
  upload?: Promise<FileUpload>;

  @Field(() => String, { nullable: true, description: 'The bytes in base64, or a data: URL.' })
  @IsOptional()
  @IsString()
  base64?: string;

  @Field(() => String, { nullable: true, description: 'A hint only: the content is sniffed from its bytes.' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  mimeType?: string;
}
