/** Age: pick a photo and face, slide the target age, see the aged face update while dragging. */
import FaceIcon from '@mui/icons-material/FaceRetouchingNaturalOutlined';
import { Alert, Button, Stack } from '@mui/material';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { NoPhotosState } from '../../components/no-photos-state';
import { PhotoPicker } from '../../components/photo-picker';
import { ScreenFrame } from '../../components/screen-frame';
import { notifyError } from '../../hooks/notify-store';
import { clampAge } from '../../hooks/session-store';
import { useBeforeImage } from '../../hooks/use-face-crop';
import { useWorkContext } from '../../hooks/use-work-context';
import { useStudio } from '../../lib/use-studio';
import { MIN_EYE_DISTANCE_PX, type Photo } from '../../../preload/contract';
import { AgeSidePanel } from './components/age-side-panel';
import { AgeSlider } from './components/age-slider';
import { AgeStage } from './components/age-stage';
import { usePreview } from './hooks/use-preview';

/**
 * A press on the rail moves the thumb before the button comes up. Its drag frame waits this long
 * for the pointer to move (a drag: the move asks at once) or to come up (a click: the release asks
 * for the full preview). Asked for at the press, a click's draft would take the engine a moment
 * before the release's preview is asked for, and a model's pass cannot be stopped once running.
 */
export const PRESS_HOLD_MS = 150;

export default function AgeScreen() {
  const studio = useStudio();
  const w = useWorkContext();
  const { session, update } = w;
  const { scheduler, shown, busy, error, painted } = usePreview();
  const dragging = useRef(false);
  // The whole-photo view ages the full photo region: only at released ages, never per drag frame.
  const [releasedAge, setReleasedAge] = useState(session.targetAge);
  useEffect(() => {
    if (!dragging.current) setReleasedAge(session.targetAge);
  }, [session.targetAge]);
  /** An arrow key's auto-repeat is running. */
  const keyRepeat = useRef(false);
  /** A press's drag frame, held back for PRESS_HOLD_MS. */
  const pressHold = useRef<ReturnType<typeof setTimeout> | null>(null);
  const endPressHold = useCallback(() => {
    if (pressHold.current !== null) clearTimeout(pressHold.current);
    pressHold.current = null;
  }, []);
  useEffect(() => endPressHold, [endPressHold]);
  const bench = useRef<HTMLDivElement>(null);

  // A photo without a face has nothing to age: the screen says so once instead of asking the engine.
  const target =
    session.photoId && session.modelId && w.photo?.faceCount !== 0
      ? { photoId: session.photoId, faceIndex: session.faceIndex, modelId: session.modelId, age: session.targetAge }
      : null;

  // Keyboard steps and picker changes land here; drags and held arrow keys are marked non-final.
  useEffect(() => {
    if (scheduler && target && pressHold.current === null) scheduler.request(target, { final: !dragging.current });
  }, [scheduler, target?.photoId, target?.faceIndex, target?.modelId, target?.age]);

  // An arrow key held down repeats: those steps are drag frames, and letting go is the release.
  // Capture phase, so the flag is set before the shortcut (or a focused slider) moves the age.
  const latest = useRef(target);
  latest.current = target;
  useEffect(() => {
    const arrow = (e: KeyboardEvent) => e.key.startsWith('Arrow');
    const down = (e: KeyboardEvent) => {
      if (!arrow(e)) return;
      keyRepeat.current = e.repeat;
      dragging.current = e.repeat;
    };
    const up = (e: KeyboardEvent) => {
      if (!arrow(e) || !keyRepeat.current) return;
      keyRepeat.current = false;
      dragging.current = false;
      if (scheduler && latest.current) scheduler.request(latest.current, { final: true });
    };
    window.addEventListener('keydown', down, true);
    window.addEventListener('keyup', up, true);
    return () => {
      window.removeEventListener('keydown', down, true);
      window.removeEventListener('keyup', up, true);
    };
  }, [scheduler]);

  const onRelease = useCallback(
    (age: number) => {
      // A focused slider commits at every key repeat: held keys are released on keyup instead.
      if (keyRepeat.current) return;
      dragging.current = false;
      endPressHold();
      const a = clampAge(age);
      bench.current?.setAttribute('data-committed-at', String(performance.now()));
      bench.current?.setAttribute('data-committed-age', String(a));
      update({ targetAge: a });
      setReleasedAge(a);
      if (scheduler && session.photoId && session.modelId) {
        scheduler.request({ photoId: session.photoId, faceIndex: session.faceIndex, modelId: session.modelId, age: a }, { final: true });
      }
    },
    [scheduler, session.photoId, session.faceIndex, session.modelId, update, endPressHold],
  );

  const onDrag = useCallback(
    (v: number) => {
      if (dragging.current) endPressHold();
      else {
        // The press: its frame waits for a move or the release (PRESS_HOLD_MS).
        pressHold.current = setTimeout(() => {
          pressHold.current = null;
          if (scheduler && latest.current) scheduler.request(latest.current, { final: !dragging.current });
        }, PRESS_HOLD_MS);
      }
      dragging.current = true;
      update({ targetAge: clampAge(v), showBefore: false });
    },
    [scheduler, update],
  );

  const onPreviewShown = useCallback((img: HTMLImageElement) => {
    const age = img.getAttribute('data-age');
    if (age === null || !bench.current) return;
    const el = bench.current;
    // Decoded now; on screen at the next frame.
    requestAnimationFrame(() => {
      el.setAttribute('data-shown-at', String(performance.now()));
      el.setAttribute('data-shown-age', age);
      painted();
    });
  }, [painted]);

  // Stable handlers so the memoised picker and panel skip re-rendering while the slider moves.
  const onPickPhoto = useCallback((p: Photo) => update({ photoId: p.id, faceIndex: 0, showBefore: false }), [update]);
  const onFace = useCallback((i: number) => update({ faceIndex: i }), [update]);
  // A new model shows its own result, not the original left on from before.
  const onModel = useCallback((id: string) => update({ modelId: id, showBefore: false }), [update]);
  const onToggleBefore = useCallback(() => update((s) => ({ showBefore: !s.showBefore })), [update]);

  const sameSubject =
    shown && target && shown.target.photoId === target.photoId && shown.target.faceIndex === target.faceIndex && shown.target.modelId === target.modelId;
  const preview = sameSubject ? shown : null;
  const before = useBeforeImage(session.photoId, session.faceIndex, (w.photo?.faceCount ?? 0) > 0);
  // The same object while only the slider moves, so the memoised stage skips those renders.
  const photoSize = w.photo ? { width: w.photo.width, height: w.photo.height } : null;
  const whole = useMemo(
    () => (target && photoSize ? { photoId: target.photoId, faceIndex: target.faceIndex, modelId: target.modelId, age: releasedAge, ...photoSize } : null),
    [target?.photoId, target?.faceIndex, target?.modelId, releasedAge, photoSize?.width, photoSize?.height],
  );

  if (w.photos.data && w.photoList.length === 0) {
    return (
      <NoPhotosState
        screen="age"
        icon={<FaceIcon />}
        title="Nothing to age yet"
        body="Import a portrait in the Library, then come back here and slide the target age to watch the face grow older or younger."
      />
    );
  }

  const detect = () =>
    session.photoId &&
    void studio.faces.detect({ photoId: session.photoId, force: true }).then((r) => {
      if (!r.ok) notifyError(r.error, 'Face detection');
    });

  return (
    <ScreenFrame testId="age-screen">
      <Stack direction="row" spacing={3} sx={{ alignItems: 'flex-start' }}>
        <PhotoPicker photos={w.photoList} activeId={session.photoId} onPick={onPickPhoto} />
        <Stack spacing={3} sx={{ flex: 1, minWidth: 0 }}>
          {w.photo?.faceCount === null && (
            <Alert severity="info" data-testid="faces-pending" action={<Button color="inherit" size="small" onClick={detect}>Detect faces</Button>}>
              Faces in this photo have not been detected yet.
            </Alert>
          )}
          {w.photo?.faceCount === 0 && (
            <Alert severity="warning" data-testid="no-face">
              No face was found in this photo, or it is too small to age (the eyes need to be at least {MIN_EYE_DISTANCE_PX} px apart). Pick a larger portrait with a clear view of the face.
            </Alert>
          )}
          {w.models.data && w.modelList.length === 0 && (
            <Alert severity="info" data-testid="no-models">
              No aging model is installed yet. Base models appear here once they are in the library; you can also train one under Training.
            </Alert>
          )}
          {w.models.error && <ErrorNotice error={w.models.error} action="Loading models" onRetry={w.models.reload} />}
          {error && target && error.target.photoId === target.photoId && error.target.modelId === target.modelId && (
            <ErrorNotice error={error.error} action="Aging preview" />
          )}
          <AgeStage
            beforeUrl={before.url}
            preview={preview}
            showBefore={session.showBefore}
            busy={busy}
            onPreviewShown={onPreviewShown}
            whole={whole}
          />
          <AgeSlider
            value={session.targetAge}
            estimatedAge={w.face?.estimatedAge ?? w.photo?.estimatedAge ?? null}
            disabled={!session.photoId}
            onDrag={onDrag}
            onRelease={onRelease}
          />
          <div ref={bench} data-testid="preview-bench" hidden />
        </Stack>
        <AgeSidePanel
          photo={w.photo}
          faces={w.faceList}
          faceIndex={session.faceIndex}
          onFace={onFace}
          models={w.modelList}
          modelId={session.modelId}
          onModel={onModel}
          preview={preview}
          showBefore={session.showBefore}
          onToggleBefore={onToggleBefore}
        />
      </Stack>
    </ScreenFrame>
  );
}
