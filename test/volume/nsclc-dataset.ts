/**
 * Locates the NSCLC-Radiomics eight-case dataset for tests that read real CT: the directory in
 * SEGSWEEP_NSCLC_DIR, else `../shared/data/nsclc-radiomics-8` relative to the repository root.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";

export const NSCLC_DIR = process.env.SEGSWEEP_NSCLC_DIR ?? join(process.cwd(), "..", "shared", "data", "nsclc-radiomics-8");

/** Returns the path of a case's image and label, or null after skipping `t` when it is missing. */
export function nsclcCase(t: TestContext, caseId: string): { image: string; label: string } | null {
  const image = join(NSCLC_DIR, "imagesTr", `${caseId}.nii.gz`);
  const label = join(NSCLC_DIR, "labelsTr", `${caseId}.nii.gz`);
  if (!existsSync(image) || !existsSync(label)) {
    t.skip(`NSCLC-Radiomics case ${caseId} not found at ${NSCLC_DIR}: set SEGSWEEP_NSCLC_DIR`);
    return null;
  }
  return { image, label };
}
