/** Names shared by the packed-dataset writer and reader (kept apart so the reader needs no tfjs). */
export const PACKED_FORMAT = 'face-age-packed-v1';
export const INDEX_HEADER = 'row,file,age,gender,race,hash,split,score,detector,eye_distance,inside';
export const REJECTED_HEADER = 'file,hash,reason';
/** Side file: the 68 landmarks of every row in unit crop coordinates ([0,1]^2), float32 x,y pairs. */
export const LANDMARKS_FILE = 'landmarks.bin';
export const LANDMARK_FLOATS = 68 * 2;
export const LANDMARK_ROW_BYTES = LANDMARK_FLOATS * 4;
