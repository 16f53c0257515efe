/** Renderer entry: connect to the studio (preload or browser host), then mount the shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppShell } from './app/app-shell';
import { connectStudio } from './lib/studio-client';
import { StudioProvider } from './lib/use-studio';

const root = createRoot(document.getElementById('root')!);

try {
  const api = connectStudio();
  root.render(
    <StrictMode>
      <StudioProvider api={api}>
        <AppShell />
      </StudioProvider>
    </StrictMode>,
  );
} catch (err) {
  root.render(
    <p role="alert" style={{ font: '16px system-ui', margin: 32 }}>
      {err instanceof Error ? err.message : String(err)}
    </p>,
  );
}
