"""Time scipy.ndimage.zoom(order=1) on a raw int16 volume, as the reference for run.ts.

Usage: scipy_zoom.py RAW_PATH NX NY NZ ZOOM_X ZOOM_Y ZOOM_Z
The raw file is little-endian int16 with x fastest. Prints one JSON line with the time in ms
of the fastest of two runs and the output shape (x, y, z).
"""
import json
import sys
import time

import numpy as np
from scipy import ndimage


def main() -> None:
    path = sys.argv[1]
    nx, ny, nz = (int(value) for value in sys.argv[2:5])
    zoom_x, zoom_y, zoom_z = (float(value) for value in sys.argv[5:8])
    volume = np.fromfile(path, dtype="<i2").reshape((nz, ny, nx))

    times_ms = []
    for _ in range(2):
        start = time.perf_counter()
        output = ndimage.zoom(volume, (zoom_z, zoom_y, zoom_x), order=1, output=np.float32)
        times_ms.append((time.perf_counter() - start) * 1000)

    shape = [output.shape[2], output.shape[1], output.shape[0]]
    print(json.dumps({"ms": min(times_ms), "shape": shape, "scipy": __import__("scipy").__version__}))


if __name__ == "__main__":
    main()
