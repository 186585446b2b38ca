import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { decodeToRgb, readImageHeader, type RgbImage } from '../../engines/image/sharp.adapter.js';
import { isImageFormat, sniffMedia } from '../media/media-type.js';
import type { MediaBytes } from '../media/media-reader.service.js';
import type { ImagePreprocessor } from './image-preprocessor.js';

export interface DecodedImage extends RgbImage {
  /** Oriented source size, before resizing. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * Bytes → model-sized RGB, refusing bad input with a code: empty or undecodable (BAD_IMAGE), not an image
 * format we decode (UNSUPPORTED_MEDIA_TYPE), more pixels than allowed (PAYLOAD_TOO_LARGE, checked on the header
 * before any pixel is expanded).
 */
export async function decodeImage(
  media: MediaBytes,
  preprocessor: ImagePreprocessor,
  maxPixels: number,
  what: string,
): Promise<DecodedImage> {
  if (media.bytes.length === 0) throw new MnemeError(ErrorCode.BAD_IMAGE, `${what} is empty (0 bytes).`);
  const format = sniffMedia(media.bytes);
  if (!isImageFormat(format)) {
    throw new MnemeError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `${what} (${media.label}) is not an image this server decodes; send JPEG, PNG, WebP, GIF, AVIF or TIFF.`,
    );
  }
  let header;
  try {
    header = await readImageHeader(media.bytes);
  } catch (error) {
    throw badImage(what, format, error);
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new MnemeError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `${what} is ${header.width}×${header.height} (${pixels} pixels); the limit is ${maxPixels}. ` +
        'Downscale it or raise MNEME_IMAGE_MAX_PIXELS.',
      { details: { width: header.width, height: header.height, maxPixels } },
    );
  }
  if (header.width === 0 || header.height === 0) throw badImage(what, format, new Error('no pixels'));
  try {
    const rgb = await decodeToRgb(media.bytes, preprocessor.plan(header.width, header.height), maxPixels);
    return { ...rgb, sourceWidth: header.width, sourceHeight: header.height };
  } catch (error) {
    throw badImage(what, format, error);
  }
}

function badImage(what: string, format: string, error: unknown): MnemeError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new MnemeError(
    ErrorCode.BAD_IMAGE,
    `${what} looks like ${format.toUpperCase()} but cannot be decoded (${reason}); is it truncated or corrupt?`,
  );
}
