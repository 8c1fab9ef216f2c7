/**
 * Label ids and names of the synthetic chest phantom. Ids 0 to 6 match the NSCLC-Radiomics
 * MSD export (background, tumor, lung_left, lung_right, heart, esophagus, spinal_cord), so the
 * same label-map presets apply to both. Ids 7 to 9 add structures that the real contours lack.
 *
 * Left and right are the patient's. `trachea` includes the two main bronchi, `vessels` the
 * aorta, the pulmonary trunk and arteries and the superior vena cava, and `body` every other
 * tissue inside the skin (fat, muscle, bone, intervertebral discs, cerebrospinal fluid, liver).
 */
export const PHANTOM_LABELS = {
  background: 0,
  tumor: 1,
  lung_left: 2,
  lung_right: 3,
  heart: 4,
  esophagus: 5,
  spinal_cord: 6,
  trachea: 7,
  vessels: 8,
  body: 9,
} as const;

export type PhantomLabelName = keyof typeof PHANTOM_LABELS;

/** Returns the labels as an MSD `dataset.json` declares them: id (as a string) to name. */
export function phantomLabelTable(): Record<string, string> {
  const table: Record<string, string> = {};
  for (const [name, id] of Object.entries(PHANTOM_LABELS)) table[String(id)] = name;
  return table;
}
