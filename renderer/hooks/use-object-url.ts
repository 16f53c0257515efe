/** A blob: URL for an encoded image from main, revoked when the image changes or unmounts. */
import { useEffect, useState } from 'react';
import type { EncodedImage } from '../../preload/contract';
import { imageUrl } from '../lib/result';

export function useObjectUrl(image: Pick<EncodedImage, 'mime' | 'bytes'> | null | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!image) {
      setUrl(null);
      return;
    }
    const u = imageUrl(image);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [image]);
  return url;
}
