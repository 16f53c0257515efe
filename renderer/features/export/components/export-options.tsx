/** The export settings card: ages, output layout, format and quality, faces, metadata. */
import {
  Checkbox,
  Chip,
  FormControlLabel,
  Paper,
  Slider,
  Stack,
  Switch,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import type { ModelSummary } from '../../../../preload/contract';
import { ModelPicker } from '../../../components/model-picker';
import { PRESET_AGES, ageChoices, formatsFor, toggleAge, type ExportForm, type ExportLayout } from '../api/export-form';

const LAYOUTS: { value: ExportLayout; label: string; help: string }[] = [
  { value: 'files', label: 'Photos', help: 'Each photo at full resolution with the aged face pasted back, one file per age.' },
  { value: 'contact-sheet', label: 'Contact sheet', help: 'One sheet: a row per face, a column per chosen age.' },
  { value: 'animated-timeline', label: 'Animated timeline', help: 'An animated WebP per face that runs through the chosen ages.' },
];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack spacing={1.25}>
      <Typography variant="overline" color="text.secondary">
        {title}
      </Typography>
      {children}
    </Stack>
  );
}

export interface ExportOptionsProps {
  form: ExportForm;
  set: (p: Partial<ExportForm>) => void;
  models: ModelSummary[];
  /** The Age slider's age, offered (and at first chosen) beside the presets. */
  sliderAge: number | null;
}

export function ExportOptions({ form, set, models, sliderAge }: ExportOptionsProps) {
  const formats = formatsFor(form.layout);
  return (
    <Paper variant="outlined" sx={{ p: 3 }}>
      <Stack spacing={3}>
        <ModelPicker models={models} value={form.modelId} onChange={(id) => set({ modelId: id })} />
        <Section title="Target ages">
          <Stack direction="row" useFlexGap spacing={1} sx={{ flexWrap: 'wrap' }} data-testid="export-ages">
            {ageChoices(form.ages, sliderAge).map((a) => (
              <Chip
                key={a}
                label={a === sliderAge && !(PRESET_AGES as readonly number[]).includes(a) ? `${a} · from the slider` : a}
                color={form.ages.includes(a) ? 'primary' : 'default'}
                variant={form.ages.includes(a) ? 'filled' : 'outlined'}
                onClick={() => set({ ages: toggleAge(form.ages, a) })}
                data-testid={`export-age-${a}`}
                sx={{ minWidth: 48 }}
              />
            ))}
          </Stack>
        </Section>
        <Section title="Output">
          <ToggleButtonGroup
            exclusive
            size="small"
            value={form.layout}
            onChange={(_, v: ExportLayout | null) => v && set({ layout: v, format: formatsFor(v).includes(form.format) ? form.format : formatsFor(v)[0]! })}
          >
            {LAYOUTS.map((l) => (
              <ToggleButton key={l.value} value={l.value} data-testid={`layout-${l.value}`}>
                {l.label}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          <Typography variant="body2" color="text.secondary">
            {LAYOUTS.find((l) => l.value === form.layout)?.help}
          </Typography>
        </Section>
        <Section title="Format">
          <Stack direction="row" spacing={3} sx={{ alignItems: 'center' }}>
            <ToggleButtonGroup exclusive size="small" value={form.format} onChange={(_, v) => v && set({ format: v })}>
              {(['jpeg', 'png', 'webp'] as const).map((f) => (
                <ToggleButton key={f} value={f} disabled={!formats.includes(f)} data-testid={`format-${f}`}>
                  {f.toUpperCase()}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flex: 1, maxWidth: 320 }}>
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
                Quality {form.format === 'png' ? '(lossless)' : form.quality}
              </Typography>
              <Slider
                size="small"
                min={1}
                max={100}
                value={form.quality}
                disabled={form.format === 'png'}
                onChange={(_, v) => set({ quality: v as number })}
                slotProps={{ input: { 'aria-label': 'Quality' } }}
              />
            </Stack>
          </Stack>
          {form.layout === 'animated-timeline' && (
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center', maxWidth: 420 }}>
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
                Frame time {form.frameMs} ms
              </Typography>
              <Slider size="small" min={100} max={2000} step={50} value={form.frameMs} onChange={(_, v) => set({ frameMs: v as number })} />
            </Stack>
          )}
        </Section>
        <Section title="Details">
          <FormControlLabel
            control={<Switch checked={form.allFaces} onChange={(e) => set({ allFaces: e.target.checked })} />}
            label="Age every face in the photo (off: the largest face only)"
          />
          <FormControlLabel
            disabled={form.layout !== 'files'}
            control={
              <Checkbox
                checked={form.layout === 'files' && form.keepLocation}
                onChange={(e) => set({ keepLocation: e.target.checked })}
                slotProps={{ input: { 'data-testid': 'keep-location' } as React.InputHTMLAttributes<HTMLInputElement> }}
              />
            }
            label={
              <Stack>
                <Typography variant="body2">Keep location (GPS) metadata</Typography>
                <Typography variant="caption" color="text.secondary">
                  {form.layout === 'files'
                    ? 'Off: exports carry no metadata at all. On: the photo\'s GPS position is copied, nothing else.'
                    : 'Contact sheets and timelines never carry metadata.'}
                </Typography>
              </Stack>
            }
          />
        </Section>
      </Stack>
    </Paper>
  );
}
