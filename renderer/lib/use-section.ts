/** The current shell section, kept in the URL fragment (`#/age`) so reloads and back/forward work. */
import { useCallback, useEffect, useState } from 'react';

export const SECTION_IDS = ['library', 'age', 'compare', 'export', 'training', 'settings'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

function fromHash(): SectionId {
  const id = window.location.hash.replace(/^#\/?/, '').split(/[/?&]/)[0];
  return (SECTION_IDS as readonly string[]).includes(id ?? '') ? (id as SectionId) : 'library';
}

export function useSection(): [SectionId, (id: SectionId) => void] {
  const [section, setSection] = useState<SectionId>(fromHash);
  useEffect(() => {
    const onHash = () => setSection(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((id: SectionId) => {
    window.location.hash = `/${id}`;
  }, []);
  return [section, go];
}
