/**
 * Validates a class mapping against the source labels of a data set and resolves it into a
 * lookup table from source label id to class id.
 */
import { BACKGROUND, DEFAULT_ALWAYS_PRESENT, TUMOR_SOURCE_LABEL, type MappingRequest } from "./presets.ts";

export interface ResolvedMapping {
  preset: string;
  /** Class names; the index is the class id in the output label maps. Class 0 is background. */
  classes: string[];
  /** Id of the class that contains exactly the source label `tumor`. */
  tumorClass: number;
  /** Class name to its source label names; background lists `background` and every dropped label. */
  mapping: Record<string, string[]>;
  /** Source labels merged into background. */
  dropped: string[];
  /** Region name to class ids (region preset only): one sigmoid channel per region in training. */
  regions?: Record<string, number[]>;
  /** Names checked for partial annotation (class names or source label names). */
  alwaysPresent: string[];
  /** Class id per source label id (0..255); -1 where the source id is not declared. */
  lookup: Int16Array;
  /** Source label id to name, as the data set declares them. */
  sourceLabels: Record<string, string>;
}

/**
 * Resolves `request` against the data set's `sourceLabels` (id as a string to name).
 *
 * Throws one error that lists every problem. Problems are an unknown source label, a label in
 * two classes, a label both mapped and dropped, and a label neither mapped nor dropped. The
 * tumor label must have a class of its own, `always_present` names must be valid, and there
 * may be at most 255 classes.
 */
export function resolveMapping(
  request: MappingRequest,
  sourceLabels: Record<string, string>,
  alwaysPresent?: string[],
): ResolvedMapping {
  const sourceIds = new Map(Object.entries(sourceLabels).map(([id, name]) => [name, Number(id)]));
  const declared = [...sourceIds.keys()];
  const problems: string[] = [];
  const unknown = (name: string) => `source label '${name}' is not declared; declared: ${declared.join(", ")}`;

  const classes = [BACKGROUND];
  const mapping: Record<string, string[]> = { [BACKGROUND]: [BACKGROUND] };
  const owner = new Map<string, string>([[BACKGROUND, BACKGROUND]]);

  for (const spec of request.classes) {
    if (spec.name !== BACKGROUND && !classes.includes(spec.name)) {
      classes.push(spec.name);
      mapping[spec.name] = [];
    }
    for (const source of spec.sources) {
      if (!sourceIds.has(source)) problems.push(`class '${spec.name}': ${unknown(source)}`);
      else if (owner.has(source) && !(source === BACKGROUND && spec.name === BACKGROUND)) {
        problems.push(`source label '${source}' is mapped to both '${owner.get(source)}' and '${spec.name}'`);
      } else if (source !== BACKGROUND) {
        owner.set(source, spec.name);
        mapping[spec.name].push(source);
      }
    }
  }

  for (const source of request.drop) {
    if (!sourceIds.has(source)) problems.push(`drop: ${unknown(source)}`);
    else if (owner.has(source)) problems.push(`source label '${source}' is both mapped to '${owner.get(source)}' and dropped`);
    else {
      owner.set(source, BACKGROUND);
      mapping[BACKGROUND].push(source);
    }
  }

  const unmapped = declared.filter((name) => !owner.has(name));
  if (unmapped.length > 0) {
    problems.push(
      `source labels ${unmapped.map((name) => `'${name}'`).join(", ")} are neither mapped nor dropped; ` +
        `add each to a class of 'mapping' or to 'drop'`,
    );
  }

  const tumorClass = checkTumorClass(classes, mapping, owner, problems);
  const regions = request.regions ? resolveRegions(request.regions, classes, problems) : undefined;
  const checkedNames = resolveAlwaysPresent(alwaysPresent, classes, declared, classes[tumorClass], problems);
  if (classes.length > 255) problems.push(`${classes.length} classes, but a uint8 label map holds at most 255`);

  if (problems.length > 0) {
    throw new Error(`invalid label mapping '${request.preset}':\n  - ${problems.join("\n  - ")}`);
  }

  const lookup = new Int16Array(256).fill(-1);
  for (const [name, id] of sourceIds) lookup[id] = classes.indexOf(owner.get(name) ?? BACKGROUND);
  const dropped = mapping[BACKGROUND].filter((name) => name !== BACKGROUND);

  return { preset: request.preset, classes, tumorClass, mapping, dropped, regions, alwaysPresent: checkedNames, lookup, sourceLabels };
}

/** The tumor label must form a class of its own, because evaluate scores that class. */
function checkTumorClass(
  classes: string[],
  mapping: Record<string, string[]>,
  owner: Map<string, string>,
  problems: string[],
): number {
  const tumorOwner = owner.get(TUMOR_SOURCE_LABEL);
  if (tumorOwner === undefined || tumorOwner === BACKGROUND) {
    problems.push(
      `source label '${TUMOR_SOURCE_LABEL}' must be mapped to a class, because evaluate scores the tumor class`,
    );
    return -1;
  }
  if (mapping[tumorOwner].length > 1) {
    problems.push(
      `class '${tumorOwner}' merges '${TUMOR_SOURCE_LABEL}' with ${mapping[tumorOwner]
        .filter((name) => name !== TUMOR_SOURCE_LABEL)
        .join(", ")}; give the tumor a class of its own`,
    );
  }
  return classes.indexOf(tumorOwner);
}

function resolveRegions(regions: Record<string, string[]>, classes: string[], problems: string[]): Record<string, number[]> {
  const resolved: Record<string, number[]> = {};
  for (const [region, members] of Object.entries(regions)) {
    resolved[region] = [];
    for (const member of members) {
      const id = classes.indexOf(member);
      if (id <= 0) problems.push(`region '${region}': '${member}' is not a class other than background`);
      else resolved[region].push(id);
    }
  }
  return resolved;
}

/**
 * Checks the `always_present` names. Given names must be classes or source labels; the default
 * list is filtered to those the arm uses. Tumor and background are never valid: a zero-voxel
 * tumor is a real negative, not a missing contour.
 */
function resolveAlwaysPresent(
  given: string[] | undefined,
  classes: string[],
  sourceNames: string[],
  tumorClassName: string | undefined,
  problems: string[],
): string[] {
  const known = (name: string) => classes.includes(name) || sourceNames.includes(name);
  if (given === undefined) return DEFAULT_ALWAYS_PRESENT.filter(known);

  for (const name of given) {
    if (name === TUMOR_SOURCE_LABEL || name === tumorClassName || name === BACKGROUND) {
      problems.push(
        `always_present: '${name}' cannot be listed, because a case without it is a real negative, not an unannotated one`,
      );
    } else if (!known(name)) {
      problems.push(`always_present: '${name}' is neither a class (${classes.join(", ")}) nor a declared source label`);
    }
  }
  return [...given];
}
