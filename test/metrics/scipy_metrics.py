"""Reference surface metrics with SciPy, for cross-checking the TypeScript metrics.

Reads a JSON job from stdin: {"shape": [nx, ny, nz], "spacing": [sx, sy, sz], "tolerance": mm,
"reference": "<path>", "prediction": "<path>"}, where each path contains raw uint8 voxels stored
x-fastest. Prints JSON with dice, hd95, nsd and 26-connected component counts.
"""
import json
import sys

import numpy as np
from scipy import ndimage


def load(path, shape):
    # x-fastest storage is Fortran order for an array indexed [x, y, z].
    return np.fromfile(path, dtype=np.uint8).reshape(shape, order="F") > 0


def boundary(mask):
    face_neighbours = ndimage.generate_binary_structure(3, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=face_neighbours, border_value=0)


def directed_distances(source, target, spacing):
    distance_to_target = ndimage.distance_transform_edt(~target, sampling=spacing)
    return distance_to_target[source]


def main():
    job = json.load(sys.stdin)
    shape, spacing = tuple(job["shape"]), job["spacing"]
    reference = load(job["reference"], shape)
    prediction = load(job["prediction"], shape)

    ref_surface, pred_surface = boundary(reference), boundary(prediction)
    ref_to_pred = directed_distances(ref_surface, pred_surface, spacing)
    pred_to_ref = directed_distances(pred_surface, ref_surface, spacing)

    tolerance = job["tolerance"]
    within = np.sum(ref_to_pred <= tolerance) + np.sum(pred_to_ref <= tolerance)
    all_neighbours = np.ones((3, 3, 3), dtype=bool)
    print(json.dumps({
        "dice": float(2 * np.sum(reference & prediction) / (np.sum(reference) + np.sum(prediction))),
        "hd95": float(max(np.percentile(ref_to_pred, 95), np.percentile(pred_to_ref, 95))),
        "nsd": float(within / (ref_to_pred.size + pred_to_ref.size)),
        "reference_components": int(ndimage.label(reference, structure=all_neighbours)[1]),
        "prediction_components": int(ndimage.label(prediction, structure=all_neighbours)[1]),
    }))


if __name__ == "__main__":
    main()
