/** The UI's words about face size quote the threshold the detector actually applies. */
import { describe, expect, it } from 'vitest';
import { MIN_EYE_DISTANCE_FOR_EDITING } from '../../../models/face/analyze';
import { MIN_EYE_DISTANCE_PX } from '../../../preload/contract';

describe('face size threshold', () => {
  it('the contract repeats the detector threshold', () => {
    expect(MIN_EYE_DISTANCE_PX).toBe(MIN_EYE_DISTANCE_FOR_EDITING);
  });
});
