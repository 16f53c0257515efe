/**
 * The shell's sections. Feature screens plug in by convention, without editing the shell:
 * `renderer/features/<section>/<section>-screen.tsx` with a default-exported component, e.g.
 * renderer/features/age/age-screen.tsx. Vite finds them at build time and loads them lazily.
 */
import CompareIcon from '@mui/icons-material/Compare';
import FaceIcon from '@mui/icons-material/Face';
import IosShareIcon from '@mui/icons-material/IosShare';
import ModelTrainingIcon from '@mui/icons-material/ModelTraining';
import PhotoLibraryIcon from '@mui/icons-material/PhotoLibrary';
import SettingsIcon from '@mui/icons-material/Settings';
import { lazy, type ComponentType, type LazyExoticComponent, type ReactElement } from 'react';
import type { SectionId } from '../lib/use-section';

export interface SectionDef {
  id: SectionId;
  label: string;
  icon: ReactElement;
  screen: LazyExoticComponent<ComponentType> | null;
}

const screens = import.meta.glob<{ default: ComponentType }>('../features/*/*-screen.tsx');

function screenFor(id: SectionId): LazyExoticComponent<ComponentType> | null {
  const loader = screens[`../features/${id}/${id}-screen.tsx`];
  return loader ? lazy(loader) : null;
}

export const SECTIONS: SectionDef[] = [
  { id: 'library', label: 'Library', icon: <PhotoLibraryIcon />, screen: screenFor('library') },
  { id: 'age', label: 'Age', icon: <FaceIcon />, screen: screenFor('age') },
  { id: 'compare', label: 'Compare', icon: <CompareIcon />, screen: screenFor('compare') },
  { id: 'export', label: 'Export', icon: <IosShareIcon />, screen: screenFor('export') },
  { id: 'training', label: 'Training', icon: <ModelTrainingIcon />, screen: screenFor('training') },
  { id: 'settings', label: 'Settings', icon: <SettingsIcon />, screen: screenFor('settings') },
];
