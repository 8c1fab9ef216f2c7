/** The fixed CT intensity window of the resample stage. */

/**
 * Clips HU values to `[low, high]` and maps them linearly to [0, 1], in place:
 * `(clamp(value, low, high) - low) / (high - low)`. With the default window [-1000, 500] HU,
 * air is 0, water about 0.67 and everything from 500 HU up (dense bone, metal) is 1.
 */
export function applyWindow(data: Float32Array, [low, high]: [number, number]): void {
  if (!(high > low)) throw new Error(`invalid HU window [${low}, ${high}]; the upper bound must exceed the lower`);

  const scale = 1 / (high - low);
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    let clipped = value;
    if (value < low) clipped = low;
    if (value > high) clipped = high;
    data[i] = (clipped - low) * scale;
  }
}
