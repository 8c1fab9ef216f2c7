/**
 * The label-map presets: which source labels form each class of an ablation arm. The table of
 * presets is in the docstring of `index.ts`. Source label names are those of the
 * NSCLC-Radiomics MSD export and of the phantom (`tumor`, `lung_left`, `lung_right`, `heart`,
 * `esophagus`, `spinal_cord`, ...).
 */

export const PRESET_NAMES = ["binary", "organs", "fine", "region"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The source label that every arm must keep as a class of its own. */
export const TUMOR_SOURCE_LABEL = "tumor";
export const BACKGROUND = "background";

/** A class mapping before validation: class name to source label names, plus dropped labels. */
export interface MappingRequest {
  /** Preset name, or `custom` for a `mapping` param. */
  preset: string;
  /** Classes after background, in id order (class 1 first). */
  classes: { name: string; sources: string[] }[];
  /** Source labels whose voxels become background. */
  drop: string[];
  /**
   * Nested regions by name, each a list of class names; only the `region` preset sets it.
   * A voxel's class is its innermost region, so region r is the union of its classes.
   */
  regions?: Record<string, string[]>;
}

/**
 * Builds the mapping request of a preset for a data set whose declared source labels are
 * `sourceNames` (background included). Labels that the preset does not use are dropped.
 */
export function presetRequest(preset: PresetName, sourceNames: string[]): MappingRequest {
  const classes = presetClasses(preset, sourceNames);
  const used = new Set([BACKGROUND, ...classes.flatMap((spec) => spec.sources)]);
  const drop = sourceNames.filter((name) => !used.has(name));
  const request: MappingRequest = { preset, classes, drop };
  if (preset === "region") request.regions = { lung: ["lung", "tumor"], tumor: ["tumor"] };
  return request;
}

function presetClasses(preset: PresetName, sourceNames: string[]): MappingRequest["classes"] {
  switch (preset) {
    case "binary":
      // Tumor against everything else: the two-class baseline.
      return [{ name: "tumor", sources: ["tumor"] }];
    case "organs":
      // The organs that the radiotherapy contours of NSCLC-Radiomics draw, lungs merged.
      return [
        { name: "tumor", sources: ["tumor"] },
        { name: "lung", sources: ["lung_left", "lung_right"] },
        { name: "heart", sources: ["heart"] },
        { name: "esophagus", sources: ["esophagus"] },
        { name: "spinal_cord", sources: ["spinal_cord"] },
      ];
    case "fine":
      // Every declared label as its own class.
      return sourceNames.filter((name) => name !== BACKGROUND).map((name) => ({ name, sources: [name] }));
    case "region":
      // Lung comes first so that tumor, the inner region, has the higher label id.
      return [
        { name: "lung", sources: ["lung_left", "lung_right"] },
        { name: "tumor", sources: ["tumor"] },
      ];
  }
}

/**
 * Names that a chest CT always contains, so a zero-voxel class with one of these names (or
 * built from a source label with one of these names) means the contour was not drawn. The
 * default of `always_present`; names that an arm does not use are ignored.
 */
export const DEFAULT_ALWAYS_PRESENT = [
  "lung",
  "lung_left",
  "lung_right",
  "heart",
  "esophagus",
  "spinal_cord",
  "trachea",
  "vessels",
  "body",
];
