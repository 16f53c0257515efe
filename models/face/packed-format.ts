/** Names shared by the packed-dataset writer and reader (kept apart so the reader needs no tfjs). */
export const PACKED_FORMAT = 'face-age-packed-v1';
export const INDEX_HEADER = 'row,file,age,gender,race,hash,split,score,detector,eye_distance,inside';
export const REJECTED_HEADER = 'file,hash,reason';
