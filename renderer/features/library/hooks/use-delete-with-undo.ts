/** Deletes photos at once and offers Undo in the snackbar while main keeps the undo window open. */
import { useCallback } from 'react';
import { useStudio } from '../../../lib/use-studio';
import { notify, notifyError } from '../../../hooks/notify-store';
import { forgetPhotoImages } from '../../../hooks/use-photo-image';
import { plural } from '../../../components/format-age';

export function useDeleteWithUndo() {
  const studio = useStudio();
  return useCallback(
    async (photoIds: string[]) => {
      if (photoIds.length === 0) return;
      const r = await studio.photos.delete({ photoIds });
      if (!r.ok) {
        notifyError(r.error, 'Delete');
        return;
      }
      const { undoToken, expiresAt } = r.value;
      const windowMs = Math.max(2000, new Date(expiresAt).getTime() - Date.now() - 500);
      notify({
        severity: 'info',
        message: `Deleted ${plural(r.value.deleted, 'photo')}`,
        autoHideMs: Math.min(windowMs, 10_000),
        action: {
          label: 'Undo',
          run: () =>
            void studio.photos.undoDelete({ undoToken }).then((u) => {
              if (u.ok) notify({ severity: 'success', message: `Restored ${plural(u.value.restored, 'photo')}` });
              else notifyError(u.error, 'Undo');
            }),
        },
      });
      // Thumbnails can go once the undo window has passed.
      setTimeout(() => forgetPhotoImages(photoIds), windowMs + 1000);
    },
    [studio],
  );
}
