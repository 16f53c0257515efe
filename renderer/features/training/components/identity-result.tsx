/**
 * For a finished fine-tune: the new version's lineage and the identity check main computed
 * (descriptor distance of aged outputs to the input faces, base vs fine-tuned).
 */
import { Alert, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { IdentityCheck, StudioError } from '../../../../preload/contract';
import { ErrorNotice } from '../../../components/error-notice';
import { LabeledValue } from '../../../components/labeled-value';
import { useStudio } from '../../../lib/use-studio';

export function IdentityResult({ runId, modelId }: { runId: string; modelId: string }) {
  const studio = useStudio();
  const [check, setCheck] = useState<IdentityCheck | null>(null);
  const [error, setError] = useState<StudioError | null>(null);
  const [lineage, setLineage] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void studio.finetune.identityCheck({ modelId }).then((r) => live && (r.ok ? setCheck(r.value) : setError(r.error)));
    void studio.models.get({ modelId }).then((r) => {
      if (live && r.ok) setLineage([...r.value.lineage.map((l) => l.name), r.value.name].join(' → '));
    });
    const off = studio.finetune.onIdentityCheck((e) => live && e.runId === runId && setCheck(e));
    return () => {
      live = false;
      off();
    };
  }, [studio, runId, modelId]);

  const passed = check?.photos.filter((p) => p.passed).length ?? 0;
  return (
    <Paper variant="outlined" sx={{ p: 2.5 }} data-testid="identity-result">
      <Typography variant="subtitle1" sx={{ mb: 1.5 }}>
        Identity check
      </Typography>
      {lineage && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          New version: {lineage}
        </Typography>
      )}
      {error && <ErrorNotice error={error} action="Identity check" />}
      {check && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={5}>
            <LabeledValue large label="Mean distance, base" value={check.meanDistanceBase.toFixed(3)} />
            <LabeledValue large label="Mean distance, fine-tuned" value={check.meanDistanceFineTuned.toFixed(3)} testId="identity-finetuned" />
            <LabeledValue large label="Same person" value={`${passed} / ${check.photos.length}`} />
          </Stack>
          <Alert severity={check.meanDistanceFineTuned <= check.meanDistanceBase ? 'success' : 'warning'}>
            {check.meanDistanceFineTuned <= check.meanDistanceBase
              ? 'The fine-tuned version keeps the person more recognisable than the base.'
              : 'The fine-tuned version does not keep the identity better than the base; try more photos or steps.'}{' '}
            Distances at or below {check.threshold} count as the same person.
          </Alert>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Photo</TableCell>
                <TableCell>Target age</TableCell>
                <TableCell>Base</TableCell>
                <TableCell>Fine-tuned</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {check.photos.slice(0, 12).map((p) => (
                <TableRow key={`${p.photoId}-${p.targetAge}`}>
                  <TableCell>{p.photoId}</TableCell>
                  <TableCell>{p.targetAge}</TableCell>
                  <TableCell>{p.distanceBase.toFixed(3)}</TableCell>
                  <TableCell sx={{ color: p.passed ? 'success.main' : 'warning.main' }}>{p.distanceFineTuned.toFixed(3)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Stack>
      )}
    </Paper>
  );
}
