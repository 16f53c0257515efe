/**
 * What the Age, Compare and Export screens all need: the project's photos, the models, the
 * current photo's faces, with sensible defaults written back to the session (first photo, the
 * best shipped model) so a new user lands on something that works.
 */
import { useEffect } from 'react';
import { useStudio } from '../lib/use-studio';
import { useSession } from './use-session';
import { useStudioQuery } from './use-studio-query';
import { defaultModel } from './default-model';

export function useWorkContext() {
  const studio = useStudio();
  const [session, update] = useSession();
  const photos = useStudioQuery(
    () => studio.photos.list({ projectId: session.projectId ?? undefined, limit: 500 }),
    [studio, session.projectId],
    ['photos', 'faces'],
  );
  const models = useStudioQuery(() => studio.models.list(), [studio], ['models']);
  const photoList = photos.data?.items ?? [];
  const modelList = models.data?.models ?? [];
  const photo = photoList.find((p) => p.id === session.photoId) ?? null;
  const faces = useStudioQuery(
    session.photoId ? () => studio.faces.list({ photoId: session.photoId as string }) : null,
    [studio, session.photoId],
    ['faces'],
  );

  useEffect(() => {
    if (!photos.data) return;
    if (!photo && photoList[0]) update({ photoId: photoList[0].id, faceIndex: 0 });
  }, [photos.data, photo, photoList, update]);

  useEffect(() => {
    if (!models.data) return;
    if (!modelList.some((m) => m.id === session.modelId)) {
      const base = defaultModel(modelList);
      if (base) update({ modelId: base.id });
    }
  }, [models.data, modelList, session.modelId, update]);

  const faceList = faces.data?.faces ?? [];
  const face = faceList.find((f) => f.index === session.faceIndex) ?? faceList[0] ?? null;
  return { session, update, photos, photoList, photo, models, modelList, faces, faceList, face };
}
