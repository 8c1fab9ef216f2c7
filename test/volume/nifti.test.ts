import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import { readNifti, writeNifti, type NiftiDatatype } from "../../stages/volume/nifti.ts";
import { axisCodes } from "../../stages/volume/orientation.ts";
import type { Volume, VoxelArray } from "../../stages/volume/volume.ts";
import { buildNifti1, buildNifti2 } from "./nifti-fixtures.ts";
import { nsclcCase } from "./nsclc-dataset.ts";

const dir = mkdtempSync(join(tmpdir(), "segsweep-nifti-"));

/** An oblique, left-handed affine (LPS-like with a 10 degree rotation about z). */
const OBLIQUE_AFFINE = (() => {
  const angle = (10 * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const [dx, dy, dz] = [0.75, 0.8, 2.5];
  return [
    -cos * dx, sin * dy, 0, 120.5,
    -sin * dx, -cos * dy, 0, -33.25,
    0, 0, dz, -400,
    0, 0, 0, 1,
  ];
})();

function assertAffineClose(actual: number[], expected: number[], tolerance = 1e-4): void {
  assert.equal(actual.length, 16);
  for (let i = 0; i < 16; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
      `affine[${i}] = ${actual[i]}, expected ${expected[i]}\nactual ${JSON.stringify(actual)}`,
    );
  }
}

function rampVolume<T extends VoxelArray>(data: T, affine = OBLIQUE_AFFINE): Volume<T> {
  return { data, shape: [4, 3, 2], spacing: [0.75, 0.8, 2.5], affine };
}

const DATATYPE_SAMPLES: Record<NiftiDatatype, VoxelArray> = {
  uint8: Uint8Array.from({ length: 24 }, (_, i) => (i * 11) % 256),
  int16: Int16Array.from({ length: 24 }, (_, i) => (i % 2 ? -32768 : 32767) - i),
  int32: Int32Array.from({ length: 24 }, (_, i) => (i % 2 ? -2147483648 : 2147483647) - i),
  float32: Float32Array.from({ length: 24 }, (_, i) => Math.fround(-1000.125 + i * 37.5)),
  float64: Float64Array.from({ length: 24 }, (_, i) => Math.PI * 1e10 - i / 3),
};

for (const [name, data] of Object.entries(DATATYPE_SAMPLES)) {
  for (const extension of [".nii", ".nii.gz"]) {
    test(`round trip ${name} ${extension}`, async () => {
      const path = join(dir, `round-${name}${extension}`);
      await writeNifti(path, rampVolume(data));
      const volume = await readNifti(path);

      assert.equal(volume.data.constructor, data.constructor);
      assert.deepEqual(volume.shape, [4, 3, 2]);
      assert.deepEqual(Array.from(volume.data), Array.from(data));
      assertAffineClose(volume.affine, OBLIQUE_AFFINE);
      assert.ok(Math.abs(volume.spacing[2] - 2.5) < 1e-6, `spacing ${volume.spacing}`);
      assert.deepEqual(volume.xformCodes, { sform: 1, qform: 1 });
    });
  }
}

test("readNifti views data without copying", async () => {
  for (const extension of [".nii", ".nii.gz"]) {
    const path = join(dir, `view${extension}`);
    await writeNifti(path, rampVolume(DATATYPE_SAMPLES.float64));
    const volume = await readNifti(path);

    // The data array starts right after the 352 header bytes in the buffer of the whole file.
    assert.equal(volume.data.byteOffset, 352, extension);
    assert.ok(volume.data.buffer.byteLength >= 352 + 24 * 8, extension);
  }
});

test("writeNifti output is deterministic", async () => {
  const first = join(dir, "deterministic-1.nii.gz");
  const second = join(dir, "deterministic-2.nii.gz");
  await writeNifti(first, rampVolume(DATATYPE_SAMPLES.int16));
  await writeNifti(second, rampVolume(DATATYPE_SAMPLES.int16));
  assert.deepEqual(readFileSync(first), readFileSync(second));
});

test("writeNifti keeps qform consistent with sform", async () => {
  const path = join(dir, "qform-consistent.nii");
  await writeNifti(path, rampVolume(DATATYPE_SAMPLES.uint8));
  const bytes = readFileSync(path);

  // Zero the sform code so that the reader falls back to the qform.
  bytes.writeInt16LE(0, 254);
  writeFileSync(path, bytes);
  const volume = await readNifti(path);
  assertAffineClose(volume.affine, OBLIQUE_AFFINE);
});

test("writeNifti with sheared affine writes sform only", async () => {
  const sheared = [1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1];
  const path = join(dir, "sheared.nii");
  await writeNifti(path, rampVolume(DATATYPE_SAMPLES.uint8, sheared));
  const bytes = readFileSync(path);

  assert.equal(bytes.readInt16LE(252), 0, "qform_code");
  assert.equal(bytes.readInt16LE(254), 1, "sform_code");
  assertAffineClose((await readNifti(path)).affine, sheared);
});

test("writeNifti keeps transform codes as read", async () => {
  const path = join(dir, "codes.nii");
  await writeNifti(path, { ...rampVolume(DATATYPE_SAMPLES.uint8), xformCodes: { sform: 2, qform: 0 } });
  const volume = await readNifti(path);
  assert.deepEqual(volume.xformCodes, { sform: 2, qform: 1 });
});

test("scl scaling round trip to int16", async () => {
  const values = Float32Array.from({ length: 24 }, (_, i) => -1024 + i * 0.5 * 97);
  const path = join(dir, "scaled.nii.gz");
  await writeNifti(path, rampVolume(values), { datatype: "int16", sclSlope: 0.5, sclInter: -1024 });

  const volume = await readNifti(path);
  assert.ok(volume.data instanceof Float32Array, `got ${volume.data.constructor.name}`);
  assert.deepEqual(Array.from(volume.data), Array.from(values));
});

test("scl_slope 0 and identity leave data unscaled", async () => {
  for (const [slope, inter] of [[0, 5], [1, 0], [Number.NaN, 0]]) {
    const path = join(dir, `unscaled-${slope}.nii`);
    const file = buildNifti1({ shape: [2, 1, 1], datatypeCode: 4, bitpix: 16, values: [7, -3], sclSlope: slope, sclInter: inter });
    writeFileSync(path, file);

    const volume = await readNifti(path);
    assert.ok(volume.data instanceof Int16Array, `slope ${slope}: got ${volume.data.constructor.name}`);
    assert.deepEqual(Array.from(volume.data), [7, -3]);
  }
});

test("scl_slope on uint8 gives float32", async () => {
  const path = join(dir, "uint8-scaled.nii");
  writeFileSync(path, buildNifti1({ shape: [3, 1, 1], datatypeCode: 2, bitpix: 8, values: [0, 1, 255], sclSlope: 2, sclInter: -1 }));
  const volume = await readNifti(path);
  assert.ok(volume.data instanceof Float32Array);
  assert.deepEqual(Array.from(volume.data), [-1, 1, 509]);
});

test("writeNifti rejects values out of range", async () => {
  const path = join(dir, "overflow.nii");
  const values = Float32Array.from([0, 300, 1]);
  const volume: Volume = { data: values, shape: [3, 1, 1], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
  await assert.rejects(writeNifti(path, volume, { datatype: "uint8" }), /voxel 1 value 300 .*uint8 range/);
  assert.equal(existsSync(path), false);
});

test("qform-only NIfTI-1 uses quaternion and qfac", async () => {
  // 90 degrees about x: a = b = sqrt(0.5) gives R = [[1, 0, 0], [0, 0, -1], [0, 1, 0]].
  const half = Math.SQRT1_2;
  const path = join(dir, "qform-only.nii");
  writeFileSync(path, buildNifti1({
    shape: [2, 2, 2], datatypeCode: 2, bitpix: 8, values: [1, 2, 3, 4, 5, 6, 7, 8],
    pixdim: [-1, 2, 3, 4], qformCode: 1, quatern: [half, 0, 0], qoffset: [10, 20, 30],
    srows: [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9],
  }));

  const volume = await readNifti(path);
  // Columns: R[:,0] * 2, R[:,1] * 3, R[:,2] * 4 * qfac(-1).
  assertAffineClose(volume.affine, [2, 0, 0, 10, 0, 0, 4, 20, 0, 3, 0, 30, 0, 0, 0, 1]);
  assert.deepEqual(volume.spacing.map((s) => Math.round(s * 1e6) / 1e6), [2, 3, 4]);
});

test("sform wins over a higher qform code", async () => {
  const path = join(dir, "sform-wins.nii");
  writeFileSync(path, buildNifti1({
    shape: [1, 1, 1], datatypeCode: 2, bitpix: 8, values: [1],
    pixdim: [1, 1, 1, 1], qformCode: 2, quatern: [0, 0, 1], qoffset: [5, 5, 5],
    sformCode: 1, srows: [-0.5, 0, 0, 1, 0, -0.5, 0, 2, 0, 0, 1.5, 3],
  }));
  assertAffineClose((await readNifti(path)).affine, [-0.5, 0, 0, 1, 0, -0.5, 0, 2, 0, 0, 1.5, 3, 0, 0, 0, 1]);
});

test("pixdim-only NIfTI-1 uses method 1", async () => {
  const path = join(dir, "pixdim-only.nii");
  writeFileSync(path, buildNifti1({ shape: [2, 1, 1], datatypeCode: 2, bitpix: 8, values: [1, 2], pixdim: [0, 0.5, 0.7, 0] }));
  const volume = await readNifti(path);
  assertAffineClose(volume.affine, [0.5, 0, 0, 0, 0, 0.7, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual(volume.xformCodes, { sform: 0, qform: 0 });
});

test("spatial unit metre converts to mm", async () => {
  const path = join(dir, "metres.nii");
  writeFileSync(path, buildNifti1({
    shape: [1, 1, 1], datatypeCode: 2, bitpix: 8, values: [1], xyztUnits: 1,
    sformCode: 1, srows: [0.001, 0, 0, 0.1, 0, 0.001, 0, 0, 0, 0, 0.003, 0],
  }));
  const volume = await readNifti(path);
  assertAffineClose(volume.affine, [1, 0, 0, 100, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]);
});

test("big-endian NIfTI-1 reads correctly", async () => {
  const path = join(dir, "big-endian.nii.gz");
  const file = buildNifti1({
    shape: [3, 1, 1], datatypeCode: 4, bitpix: 16, values: [-1000, 1, 258], littleEndian: false,
    sformCode: 1, srows: [1, 0, 0, -5, 0, 1, 0, 0, 0, 0, 1, 0],
  });
  writeFileSync(path, gzipSync(file));
  const volume = await readNifti(path);
  assert.deepEqual(Array.from(volume.data), [-1000, 1, 258]);
  assertAffineClose(volume.affine, [1, 0, 0, -5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
});

test("NIfTI-2 with sform and float64 data", async () => {
  const path = join(dir, "nifti2.nii.gz");
  const file = buildNifti2({
    shape: [2, 2, 1], datatypeCode: 64, bitpix: 64, values: [0.1, -2.5, 1e300, 4],
    sformCode: 1, srows: [-0.7, 0, 0, 100.125, 0, -0.7, 0, 50, 0, 0, 5, -20.5],
    qformCode: 1, quatern: [0, 0, 1], pixdim: [1, 9, 9, 9],
  });
  writeFileSync(path, gzipSync(file));

  const volume = await readNifti(path);
  assert.deepEqual(Array.from(volume.data), [0.1, -2.5, 1e300, 4]);
  assertAffineClose(volume.affine, [-0.7, 0, 0, 100.125, 0, -0.7, 0, 50, 0, 0, 5, -20.5, 0, 0, 0, 1], 1e-12);
  assert.equal(axisCodes(volume.affine), "LPS");
});

test("NIfTI-2 qform-only big-endian int32", async () => {
  const path = join(dir, "nifti2-qform.nii");
  writeFileSync(path, buildNifti2({
    shape: [1, 1, 2], datatypeCode: 8, bitpix: 32, values: [-7, 123456], littleEndian: false,
    qformCode: 1, quatern: [0, 0, 1], qoffset: [1, 2, 3], pixdim: [1, 2, 2, 3],
  }));
  const volume = await readNifti(path);
  assert.deepEqual(Array.from(volume.data), [-7, 123456]);
  assertAffineClose(volume.affine, [-2, 0, 0, 1, 0, -2, 0, 2, 0, 0, 3, 3, 0, 0, 0, 1]);
});

test("readNifti rejects unsupported datatype", async () => {
  const path = join(dir, "uint16.nii");
  writeFileSync(path, buildNifti1({ shape: [2, 1, 1], datatypeCode: 512, bitpix: 16, values: [1, 2] }));
  await assert.rejects(readNifti(path), (error: Error) => {
    assert.match(error.message, /uint16\.nii: unsupported NIfTI datatype 512 \(uint16\)/);
    return true;
  });
});

test("readNifti rejects truncated data", async () => {
  const path = join(dir, "truncated.nii");
  const file = buildNifti1({ shape: [4, 4, 4], datatypeCode: 4, bitpix: 16, values: new Array(64).fill(1) });
  writeFileSync(path, file.subarray(0, file.length - 10));
  await assert.rejects(readNifti(path), /truncated\.nii: truncated NIfTI file: .*128 bytes of voxel data from byte 352.* 470 bytes/);
});

test("readNifti rejects truncated gzip", async () => {
  const path = join(dir, "truncated-gzip.nii.gz");
  const file = gzipSync(buildNifti1({ shape: [8, 8, 8], datatypeCode: 16, bitpix: 32, values: Array.from({ length: 512 }, Math.random) }));
  writeFileSync(path, file.subarray(0, file.length >> 1));
  await assert.rejects(readNifti(path), /truncated-gzip\.nii\.gz: gzip data is truncated or corrupt/);
});

test("readNifti rejects truncated header", async () => {
  const path = join(dir, "short.nii");
  writeFileSync(path, buildNifti1({ shape: [1, 1, 1], datatypeCode: 2, bitpix: 8, values: [1] }).subarray(0, 200));
  await assert.rejects(readNifti(path), /short\.nii: truncated NIfTI file: 200 bytes/);
});

test("readNifti rejects vox_offset inside header", async () => {
  const path = join(dir, "vox-offset.nii");
  const file = buildNifti1({ shape: [2, 1, 1], datatypeCode: 2, bitpix: 8, values: [1, 2] });
  new DataView(file.buffer).setFloat32(108, 0, true);
  writeFileSync(path, file);
  await assert.rejects(readNifti(path), /vox-offset\.nii: invalid NIfTI vox_offset 0/);
});

test("readNifti rejects missing magic", async () => {
  const path = join(dir, "not-nifti.nii");
  writeFileSync(path, Buffer.alloc(400, "x"));
  await assert.rejects(readNifti(path), /not-nifti\.nii: not a NIfTI file: no 'n\+1' magic/);
});

test("readNifti rejects 4-D series", async () => {
  const path = join(dir, "series.nii");
  writeFileSync(path, buildNifti1({ shape: [1, 1, 1], datatypeCode: 2, bitpix: 8, values: [1, 2], rank: 4, extraDims: [2, 1, 1, 1] }));
  await assert.rejects(readNifti(path), /series\.nii: 4-D NIfTI with 2 entries along dimension 4/);
});

test("readNifti accepts 4-D with one volume", async () => {
  const path = join(dir, "single-4d.nii");
  writeFileSync(path, buildNifti1({ shape: [2, 1, 1], datatypeCode: 2, bitpix: 8, values: [3, 4], rank: 4, extraDims: [1, 1, 1, 1] }));
  assert.deepEqual(Array.from((await readNifti(path)).data), [3, 4]);
});

test("readNifti rejects missing file", async () => {
  await assert.rejects(readNifti(join(dir, "absent.nii.gz")), /ENOENT.*absent\.nii\.gz/);
});

/** Returns a python3 that can import nibabel, or null. */
function findNibabelPython(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import nibabel"], { encoding: "utf8" });
    if (probe.status === 0) return python;
  }
  return null;
}

const NIBABEL_CHECK = `
import json, sys
import nibabel as nib, numpy as np
result = {}
for path in sys.argv[1:]:
    image = nib.load(path)
    data = np.asanyarray(image.dataobj)
    result[path] = {
        "affine": image.affine.flatten().tolist(),
        "qform": image.header.get_qform().flatten().tolist(),
        "shape": list(data.shape),
        "dtype": str(data.dtype),
        "values": np.asarray(image.get_fdata()).flatten(order="F").tolist(),
    }
print(json.dumps(result))
`;

test("nibabel reads written files", async (t) => {
  const python = findNibabelPython();
  if (!python) {
    t.skip("python3 with nibabel not found (install the Debian package python3-nibabel)");
    return;
  }

  const paths: string[] = [];
  for (const [name, data] of Object.entries(DATATYPE_SAMPLES)) {
    for (const extension of [".nii", ".nii.gz"]) {
      const path = join(dir, `nibabel-${name}${extension}`);
      await writeNifti(path, rampVolume(data));
      paths.push(path);
    }
  }
  const run = spawnSync(python, ["-c", NIBABEL_CHECK, ...paths], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);

  for (const path of paths) {
    const name = path.split("nibabel-")[1].split(".")[0] as NiftiDatatype;
    assertAffineClose(report[path].affine, OBLIQUE_AFFINE);
    assertAffineClose(report[path].qform, OBLIQUE_AFFINE);
    assert.deepEqual(report[path].shape, [4, 3, 2], path);
    assert.equal(report[path].dtype, name, path);
    assert.deepEqual(report[path].values, Array.from(DATATYPE_SAMPLES[name]), path);
  }
});

const NIBABEL_WRITE = `
import sys
import nibabel as nib, numpy as np
data = np.arange(24, dtype=">i2").reshape((4, 3, 2), order="F") - 12
affine = np.array([[0, 0, -2.0, 10], [1.5, 0, 0, -20], [0, 0.5, 0, 30], [0, 0, 0, 1]])
image = nib.Nifti1Image(data, affine)
image.set_qform(affine, code=1)
image.set_sform(None, code=0)
nib.save(image, sys.argv[1])
image2 = nib.Nifti2Image(data.astype("<f4") * 0.5, affine)
nib.save(image2, sys.argv[2])
`;

test("readNifti reads nibabel files", async (t) => {
  const python = findNibabelPython();
  if (!python) {
    t.skip("python3 with nibabel not found (install the Debian package python3-nibabel)");
    return;
  }

  const qformPath = join(dir, "from-nibabel-qform.nii.gz");
  const nifti2Path = join(dir, "from-nibabel-2.nii");
  const run = spawnSync(python, ["-c", NIBABEL_WRITE, qformPath, nifti2Path], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);

  const expectedAffine = [0, 0, -2, 10, 1.5, 0, 0, -20, 0, 0.5, 0, 30, 0, 0, 0, 1];
  const qformVolume = await readNifti(qformPath);
  assert.deepEqual(qformVolume.xformCodes, { sform: 0, qform: 1 });
  assertAffineClose(qformVolume.affine, expectedAffine);
  assert.deepEqual(Array.from(qformVolume.data), Array.from({ length: 24 }, (_, i) => i - 12));
  assert.equal(axisCodes(qformVolume.affine), "ASL");

  const nifti2Volume = await readNifti(nifti2Path);
  assertAffineClose(nifti2Volume.affine, expectedAffine);
  assert.deepEqual(Array.from(nifti2Volume.data), Array.from({ length: 24 }, (_, i) => (i - 12) * 0.5));
});

test("readNifti reads the NSCLC dataset", async (t) => {
  const paths = nsclcCase(t, "LUNG1-001");
  if (!paths) return;

  const image = await readNifti(paths.image);
  const label = await readNifti(paths.label);

  assert.ok(image.data instanceof Int16Array, `image is ${image.data.constructor.name}`);
  assert.deepEqual(image.shape.slice(0, 2), [256, 256]);
  assert.ok(image.shape[2] >= 91, `slices ${image.shape[2]}`);
  assert.ok(image.shape[2] <= 134, `slices ${image.shape[2]}`);
  assert.ok(Math.abs(image.spacing[0] - 1.95) < 0.05, `spacing ${image.spacing}`);
  assert.ok(Math.abs(image.spacing[2] - 3) < 0.01, `spacing ${image.spacing}`);
  assert.equal(axisCodes(image.affine), "LPS");

  assert.ok(label.data instanceof Uint8Array, `label is ${label.data.constructor.name}`);
  assert.deepEqual(label.shape, image.shape);
  assertAffineClose(label.affine, image.affine);
  assert.ok(Math.max(...new Set(label.data)) <= 6, "label values above 6");
});
