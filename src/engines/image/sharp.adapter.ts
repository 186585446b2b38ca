import sharp from 'sharp';

// The only file that imports sharp (docs/conventions.md rule 1).

export interface ImageHeader {
  format: string;
  /** Pixel size after EXIF orientation is applied. */
  width: number;
  height: number;
  frames: number;
}

export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

export interface ResizeCropPlan {
  /** Size after resizing (before the crop). */
  resizeWidth: number;
  resizeHeight: number;
  kernel: ResizeKernel;
  crop: { left: number; top: number; width: number; height: number } | undefined;
}

export interface RgbImage {
  /** Packed RGB, row-major, 3 bytes per pixel. */
  data: Buffer;
  width: number;
  height: number;
}

// Decoding many images at once on 2 cores only thrashes; libvips threads inside each operation instead.
sharp.concurrency(0);

/** Reads only the header: format, oriented size and frame count. Throws on data sharp cannot parse. */
export async function readImageHeader(bytes: Buffer): Promise<ImageHeader> {
  // Header only: no pixel limit here, so the caller can refuse a bomb by its declared size with a clear message.
  const meta = await sharp(bytes, { failOn: 'none', limitInputPixels: false }).metadata();
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  return {
    format: meta.format ?? 'unknown',
    width: rotated ? height : width,
    height: rotated ? width : height,
    frames: meta.pages ?? 1,
  };
}

/**
 * Decodes the first frame, applies EXIF orientation, flattens alpha onto white, resizes and crops, and returns
 * packed RGB. `maxPixels` is enforced by libvips itself, so a decompression bomb is refused before it expands.
 */
export async function decodeToRgb(bytes: Buffer, plan: ResizeCropPlan, maxPixels: number): Promise<RgbImage> {
  let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, pages: 1 })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(plan.resizeWidth, plan.resizeHeight, { fit: 'fill', kernel: plan.kernel });
  if (plan.crop) pipeline = pipeline.extract(plan.crop);
  const { data, info } = await pipeline
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The image as a JPEG no larger than `maxSide` on either side (upright, alpha flattened): what a vision LLM is
 * sent — any input format the server decodes, at a size its vision encoder would downscale to anyway.
 */
export async function toJpeg(bytes: Buffer, maxSide: number, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, pages: 1 })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
}
