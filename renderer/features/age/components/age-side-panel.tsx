/** Right-hand panel of the Age screen: model, face, what the estimator says, before/after. */
import CompareIcon from '@mui/icons-material/CompareOutlined';
import { Button, Divider, Paper, Stack, Typography } from '@mui/material';
import type { Face, ModelSummary, Photo } from '../../../../preload/contract';
import { FacePicker } from '../../../components/face-picker';
import { formatAgeLabel, formatTargetAge } from '../../../components/format-age';
import { LabeledValue } from '../../../components/labeled-value';
import { ModelPicker } from '../../../components/model-picker';
import type { ShownPreview } from '../api/preview-scheduler';
import type { PreviewImage } from '../hooks/use-preview';
import { memo, useMemo } from 'react';

export interface AgeSidePanelProps {
  photo: Photo | null;
  faces: Face[];
  faceIndex: number;
  onFace: (i: number) => void;
  models: ModelSummary[];
  modelId: string | null;
  onModel: (id: string) => void;
  preview: ShownPreview<PreviewImage> | null;
  showBefore: boolean;
  onToggleBefore: () => void;
}

export const AgeSidePanel = memo(function AgeSidePanel(p: AgeSidePanelProps) {
  const face = p.faces.find((f) => f.index === p.faceIndex);
  const original = face?.estimatedAge ?? p.photo?.estimatedAge ?? null;
  // The same elements while only the preview changes (at every slider release and drag frame):
  // React skips the menus then.
  const pickers = useMemo(
    () => (
      <>
        <ModelPicker models={p.models} value={p.modelId} onChange={p.onModel} />
        <FacePicker faces={p.faces} value={p.faceIndex} onChange={p.onFace} />
      </>
    ),
    [p.models, p.modelId, p.onModel, p.faces, p.faceIndex, p.onFace],
  );
  return (
    <Paper variant="outlined" sx={{ width: 300, flexShrink: 0, p: 2.5, alignSelf: 'flex-start' }}>
      <Stack spacing={2.5}>
        {pickers}
        <Divider />
        <Stack spacing={1}>
          <Typography variant="overline" color="text.secondary">
            Estimates
          </Typography>
          <LabeledValue layout="inline" label="Original photo" value={formatAgeLabel(original)} testId="original-age" />
          <LabeledValue layout="inline"
            label={p.preview ? `Preview at ${formatTargetAge(p.preview.target.age)}` : 'Preview'}
            value={p.preview ? formatAgeLabel(p.preview.value.estimatedAge) : '--'}
            testId="preview-estimated-age"
          />
          <LabeledValue layout="inline" label="Engine time" value={p.preview ? `${Math.round(p.preview.value.engineMs)} ms` : '--'} />
        </Stack>
        <Button
          variant={p.showBefore ? 'contained' : 'outlined'}
          startIcon={<CompareIcon />}
          onClick={p.onToggleBefore}
          disabled={!p.preview && !p.showBefore}
          data-testid="toggle-before"
        >
          {p.showBefore ? 'Showing original' : 'Show original'}
          <Typography component="span" variant="caption" sx={{ ml: 1, opacity: 0.7 }}>
            Space
          </Typography>
        </Button>
      </Stack>
    </Paper>
  );
});
