import type { ResizeCropPlan, ResizeKernel, RgbImage } from '../../engines/image/sharp.adapter.js';

/** The fields of a Hugging Face `preprocessor_config.json` (CLIPImageProcessor and kin) that shape pixels. */
export interface PreprocessorConfig {
  do_resize?: boolean;
  size?: { shortest_edge?: number; height?: number; width?: number } | number;
  resample?: number;
  do_center_crop?: boolean;
  crop_size?: { height: number; width: number } | number;
  do_rescale?: boolean;
  rescale_factor?: number;
  do_normalize?: boolean;
  image_mean?: number[];
  image_std?: number[];
}

// PIL resampling filter ids as written by transformers → the nearest libvips kernel.
const KERNELS: Record<number, ResizeKernel> = {
  0: 'nearest',
  1: 'lanczos3',
  2: 'linear',
  3: 'cubic',
  4: 'linear',
  5: 'linear',
};

/** Turns decoded images into model input exactly as the model's preprocessor config prescribes. */
export class ImagePreprocessor {
  readonly outputWidth: number;
  readonly outputHeight: number;
  private readonly mean: [number, number, number];
  private readonly std: [number, number, number];
  private readonly rescale: number;

  constructor(private readonly config: PreprocessorConfig) {
    const crop =
      typeof config.crop_size === 'number'
        ? { height: config.crop_size, width: config.crop_size }
        : config.crop_size;
    const size = typeof config.size === 'number' ? { shortest_edge: config.size } : (config.size ?? {});
    if (config.do_center_crop && crop) {
      this.outputWidth = crop.width;
      this.outputHeight = crop.height;
    } else if (size.width && size.height) {
      this.outputWidth = size.width;
      this.outputHeight = size.height;
    } else {
      throw new Error('preprocessor_config.json: a fixed output size needs crop_size or size {height,width}');
    }
    const mean = config.do_normalize === false ? [0, 0, 0] : (config.image_mean ?? [0.5, 0.5, 0.5]);
    const std = config.do_normalize === false ? [1, 1, 1] : (config.image_std ?? [0.5, 0.5, 0.5]);
    this.mean = [mean[0] ?? 0, mean[1] ?? 0, mean[2] ?? 0];
    this.std = [std[0] ?? 1, std[1] ?? 1, std[2] ?? 1];
    this.rescale = config.do_rescale === false ? 1 : (config.rescale_factor ?? 1 / 255);
  }

  /** How to resize and crop an image of this (oriented) size: shortest edge, then a centred crop. */
  plan(width: number, height: number): ResizeCropPlan {
    const kernel = KERNELS[this.config.resample ?? 3] ?? 'cubic';
    const size =
      typeof this.config.size === 'number' ? { shortest_edge: this.config.size } : (this.config.size ?? {});
    let resizeWidth = this.outputWidth;
    let resizeHeight = this.outputHeight;
    if (this.config.do_resize !== false && !size.shortest_edge && size.width && size.height) {
      resizeWidth = size.width;
      resizeHeight = size.height;
    } else if (this.config.do_resize !== false && size.shortest_edge) {
      // As transformers does: the short side becomes shortest_edge, the long side scales and is truncated.
      const short = size.shortest_edge;
      if (width <= height) {
        resizeWidth = short;
        resizeHeight = Math.floor((short * height) / width);
      } else {
        resizeHeight = short;
        resizeWidth = Math.floor((short * width) / height);
      }
    }
    const crop =
      resizeWidth === this.outputWidth && resizeHeight === this.outputHeight
        ? undefined
        : {
            left: Math.max(0, Math.floor((resizeWidth - this.outputWidth) / 2)),
            top: Math.max(0, Math.floor((resizeHeight - this.outputHeight) / 2)),
            width: Math.min(this.outputWidth, resizeWidth),
            height: Math.min(this.outputHeight, resizeHeight),
          };
    return { resizeWidth, resizeHeight, kernel, crop };
  }

  /** Packs RGB images into one NCHW float32 batch, rescaled and normalized. */
  toPixels(images: RgbImage[]): Float32Array {
    const plane = this.outputWidth * this.outputHeight;
    const out = new Float32Array(images.length * 3 * plane);
    images.forEach((image, n) => {
      if (image.width !== this.outputWidth || image.height !== this.outputHeight) {
        throw new Error(
          `image ${n} is ${image.width}×${image.height}, expected ${this.outputWidth}×${this.outputHeight}`,
        );
      }
      const base = n * 3 * plane;
      for (let c = 0; c < 3; c++) {
        const scale = this.rescale / this.std[c]!;
        const shift = this.mean[c]! / this.std[c]!;
        const offset = base + c * plane;
        for (let i = 0; i < plane; i++) out[offset + i] = image.data[i * 3 + c]! * scale - shift;
      }
    });
    return out;
  }
}
