/**
 * Pure planning of an import: which picked files are photos, and how to split them into
 * requests that stay under the contract's caps (500 files, and a byte budget per message so one
 * huge batch cannot stall the socket or the progress bar).
 */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'heic', 'avif'] as const;
export const MAX_FILES_PER_REQUEST = 500;
/** Per request; the contract caps one file at 80 MB. */
export const MAX_BYTES_PER_REQUEST = 48 * 1024 * 1024;
export const MAX_FILE_BYTES = 80 * 1024 * 1024;

export interface PickedFile {
  name: string;
  size: number;
  type: string;
}

export function isImageFile(f: Pick<PickedFile, 'name' | 'type'>): boolean {
  if (f.type.startsWith('image/')) return true;
  const ext = f.name.split('.').pop()?.toLowerCase() ?? '';
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

export interface ImportPlan<F extends PickedFile> {
  batches: F[][];
  /** Files left out before sending, each with a reason a person understands. */
  skipped: { name: string; message: string }[];
}

export function planImport<F extends PickedFile>(
  files: readonly F[],
  maxFiles = MAX_FILES_PER_REQUEST,
  maxBytes = MAX_BYTES_PER_REQUEST,
): ImportPlan<F> {
  const skipped: { name: string; message: string }[] = [];
  const batches: F[][] = [];
  let batch: F[] = [];
  let bytes = 0;
  for (const f of files) {
    // Hidden files and OS thumbnails that come along with dropped folders.
    if (f.name.startsWith('.') || f.name === 'Thumbs.db') continue;
    if (!isImageFile(f)) {
      skipped.push({ name: f.name, message: 'not an image file' });
      continue;
    }
    if (f.size === 0) {
      skipped.push({ name: f.name, message: 'the file is empty' });
      continue;
    }
    if (f.size > MAX_FILE_BYTES) {
      skipped.push({ name: f.name, message: 'larger than 80 MB' });
      continue;
    }
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + f.size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(f);
    bytes += f.size;
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, skipped };
}
