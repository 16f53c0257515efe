/** Library: projects, the photo grid, import (dialog, file/folder input, drag and drop), search, delete with undo. */
import PhotoLibraryIcon from '@mui/icons-material/PhotoLibraryOutlined';
import { Box, Button, CircularProgress, Stack } from '@mui/material';
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { EmptyState } from '../../components/empty-state';
import { ErrorNotice } from '../../components/error-notice';
import { ScreenFrame } from '../../components/screen-frame';
import type { CommandEffect } from '../../components/shortcuts/commands';
import { notifyError } from '../../hooks/notify-store';
import { useSession } from '../../hooks/use-session';
import { useStudioQuery } from '../../hooks/use-studio-query';
import { useSection } from '../../lib/use-section';
import { useStudio } from '../../lib/use-studio';
import type { Photo, StudioError } from '../../../preload/contract';
import { filesFromDataTransfer } from './api/read-dropped';
import { DropOverlay } from './components/drop-overlay';
import { ImportProgress } from './components/import-progress';
import { LibraryToolbar, type SortKey } from './components/library-toolbar';
import { PhotoGrid } from './components/photo-grid';
import { ProjectSidebar } from './components/project-sidebar';
import { TextPromptDialog } from './components/text-prompt-dialog';
import { useDebounced } from './hooks/use-debounced';
import { useDeleteWithUndo } from './hooks/use-delete-with-undo';
import { useImport } from './hooks/use-import';

const PAGE = 200;

export default function LibraryScreen() {
  const studio = useStudio();
  const [, go] = useSection();
  const [session, update] = useSession();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortKey>('imported-desc');
  const [limit, setLimit] = useState(PAGE);
  const [dragging, setDragging] = useState(false);
  const [tagging, setTagging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const dialogsUnsupported = useRef(false);
  const query = useDebounced(search.trim(), 250);

  const projects = useStudioQuery(() => studio.projects.list(), [studio], ['projects', 'photos']);
  const projectList = projects.data?.projects ?? [];
  // With no project chosen, main uses the oldest one; show that one as active.
  const activeProjectId =
    session.projectId && projectList.some((p) => p.id === session.projectId)
      ? session.projectId
      : ([...projectList].sort((a, b) => Number(a.id) - Number(b.id) || a.createdAt.localeCompare(b.createdAt))[0]?.id ?? null);

  const photos = useStudioQuery(
    () => studio.photos.list({ projectId: activeProjectId ?? undefined, search: query || undefined, sort, limit }),
    [studio, activeProjectId, query, sort, limit],
    ['photos', 'faces'],
  );
  const items = photos.data?.items ?? [];
  const selected = useMemo(() => new Set(session.selectedPhotoIds), [session.selectedPhotoIds]);
  const imp = useImport(activeProjectId);
  const deleteWithUndo = useDeleteWithUndo();

  // The import panel shows the outcome; a snackbar only for what failed outright.
  const afterImport = useCallback((s: { error: StudioError | null }) => {
    if (s.error) notifyError(s.error, 'Import');
  }, []);

  const onPickedFiles = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      afterImport(await imp.importFiles(files));
    },
    [imp, afterImport],
  );

  const openImport = useCallback(
    async (what: 'files' | 'folder') => {
      const fallback = () => (what === 'files' ? fileInput : folderInput).current?.click();
      if (dialogsUnsupported.current) return fallback();
      if (what === 'files') {
        const r = await studio.dialogs.openFiles({ title: 'Import photos', multiple: true });
        if (!r.ok) {
          if (r.error.code === 'unsupported' || r.error.code === 'not-available-yet') {
            dialogsUnsupported.current = true;
            return fallback();
          }
          return void notifyError(r.error, 'Opening the file dialog');
        }
        if (r.value.grants.length > 0) afterImport(await imp.importGrants(r.value.grants.map((g) => g.grantId)));
      } else {
        const r = await studio.dialogs.openFolder({ title: 'Import a folder of photos' });
        if (!r.ok) {
          if (r.error.code === 'unsupported' || r.error.code === 'not-available-yet') {
            dialogsUnsupported.current = true;
            return fallback();
          }
          return void notifyError(r.error, 'Opening the folder dialog');
        }
        if (r.value.grant) afterImport(await imp.importGrants([r.value.grant.grantId]));
      }
    },
    [studio, imp, afterImport],
  );

  // Ctrl+O asked for an import (possibly from another screen).
  useEffect(() => {
    if (session.pending !== 'import') return;
    update({ pending: null });
    void openImport('files');
  }, [session.pending, update, openImport]);

  const onSelect = useCallback(
    (photo: Photo, additive: boolean) => {
      update((s) => {
        const has = s.selectedPhotoIds.includes(photo.id);
        if (additive) {
          return { selectedPhotoIds: has ? s.selectedPhotoIds.filter((id) => id !== photo.id) : [...s.selectedPhotoIds, photo.id] };
        }
        return { selectedPhotoIds: has && s.selectedPhotoIds.length === 1 ? [] : [photo.id], photoId: photo.id, faceIndex: 0 };
      });
    },
    [update],
  );

  const onOpen = useCallback(
    (photo: Photo) => {
      update({ photoId: photo.id, faceIndex: 0, selectedPhotoIds: [photo.id], showBefore: false });
      go('age');
    },
    [update, go],
  );

  const onEffect = useCallback(
    (effect: CommandEffect) => {
      if (effect.kind !== 'delete-selected') return false;
      void deleteWithUndo(effect.photoIds);
      return true;
    },
    [deleteWithUndo],
  );

  const onInputChange = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    void onPickedFiles(files);
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    await onPickedFiles(await filesFromDataTransfer(e.dataTransfer));
  };

  // Not while an import is filling it: the progress bar says what is happening.
  const empty = !photos.loading && !photos.error && items.length === 0 && !query && !imp.state.running;
  const otherProjectsHavePhotos = projectList.some((p) => p.id !== activeProjectId && p.photoCount > 0);

  return (
    <ScreenFrame onEffect={onEffect} testId="library-screen">
      <Stack direction="row" spacing={3} sx={{ minHeight: 0 }}>
        <ProjectSidebar
          projects={projectList}
          activeId={activeProjectId}
          onPick={(id) => update({ projectId: id, selectedPhotoIds: [] })}
          onCreate={(name) =>
            void studio.projects.create({ name }).then((r) => (r.ok ? update({ projectId: r.value.id, selectedPhotoIds: [] }) : notifyError(r.error, 'Creating the project')))
          }
        />
        <Box
          sx={{ flex: 1, minWidth: 0, position: 'relative', display: 'flex', flexDirection: 'column', gap: 2.5 }}
          onDragEnter={(e) => {
            if (e.dataTransfer.types.includes('Files')) setDragging(true);
          }}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes('Files')) e.preventDefault();
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
          }}
          onDrop={(e) => void onDrop(e)}
          data-testid="library-drop-zone"
        >
          <LibraryToolbar
            search={search}
            onSearch={setSearch}
            sort={sort}
            onSort={setSort}
            total={photos.data?.total ?? null}
            selectedCount={selected.size}
            onDelete={() => {
              const ids = [...selected];
              update({ selectedPhotoIds: [] });
              void deleteWithUndo(ids);
            }}
            onTag={() => setTagging(true)}
            onImportFiles={() => void openImport('files')}
            onImportFolder={() => void openImport('folder')}
            busy={imp.state.running}
          />
          <ImportProgress state={imp.state} onClose={imp.reset} />
          {photos.error && <ErrorNotice error={photos.error} action="Loading photos" onRetry={photos.reload} />}
          {photos.loading && !photos.data && <CircularProgress sx={{ alignSelf: 'center', my: 6 }} aria-label="loading photos" />}
          {empty ? (
            <EmptyState
              testId="library-empty"
              icon={<PhotoLibraryIcon />}
              title={otherProjectsHavePhotos ? 'This project is empty' : 'Your library is empty'}
              body={`Drag photos or whole folders here, or import them${otherProjectsHavePhotos ? ' into this project' : ''}. Portraits with a clear view of the face work best; everything stays on this computer.`}
              action={
                <Button variant="contained" onClick={() => void openImport('files')}>
                  Import photos
                </Button>
              }
            />
          ) : (
            items.length === 0 &&
            query && (
              <EmptyState
                testId="search-empty"
                icon={<PhotoLibraryIcon />}
                title={`No photo matches "${query}"`}
                body="Search looks at file names. Clear the search to see every photo in this project."
              />
            )
          )}
          {items.length > 0 && <PhotoGrid photos={items} selected={selected} onSelect={onSelect} onOpen={onOpen} />}
          {photos.data?.nextOffset != null && (
            <Button onClick={() => setLimit((l) => Math.min(500, l + PAGE))} sx={{ alignSelf: 'center' }} disabled={limit >= 500}>
              Show more
            </Button>
          )}
          <DropOverlay visible={dragging} />
          <TextPromptDialog
            open={tagging}
            title={`Tag ${selected.size} photo${selected.size === 1 ? '' : 's'}`}
            label="Tag, e.g. the person's name"
            submitLabel="Add tag"
            maxLength={60}
            testIds={{ input: 'tag-input', submit: 'tag-apply' }}
            onClose={() => setTagging(false)}
            onSubmit={(tag) =>
              void studio.photos.tag({ photoIds: [...selected], add: [tag] }).then((r) => !r.ok && notifyError(r.error, 'Tagging'))
            }
          />
          <input
            ref={fileInput}
            type="file"
            multiple
            accept="image/*"
            hidden
            data-testid="file-input"
            onChange={onInputChange}
          />
          <input
            ref={(el) => {
              folderInput.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            multiple
            hidden
            data-testid="folder-input"
            onChange={onInputChange}
          />
        </Box>
      </Stack>
    </ScreenFrame>
  );
}
