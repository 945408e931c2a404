#!/usr/bin/python3
"""The seed's motion algorithm in OpenCV (baseline for the rtsp benchmark).

Usage: opencv_motion.py FRAMES_FILE WIDTH HEIGHT BLUR THRESHOLD
Reads raw gray frames, runs blur -> absdiff -> threshold -> countNonZero on each, and prints
"<microseconds per frame> <changed pixels summed>" (timing excludes reading the file).
"""
import sys
import time

import cv2
import numpy as np

path, width, height, blur, threshold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
frames = np.fromfile(path, dtype=np.uint8).reshape(-1, height, width)
cv2.setNumThreads(1)

def run():
    previous = None
    changed = 0
    for frame in frames:
        blurred = cv2.GaussianBlur(frame, (blur, blur), 0)
        if previous is not None:
            diff = cv2.absdiff(blurred, previous)
            _, mask = cv2.threshold(diff, threshold, 255, cv2.THRESH_BINARY)
            changed += cv2.countNonZero(mask)
        previous = blurred
    return changed

run()  # warm-up
start = time.perf_counter()
changed = run()
elapsed = time.perf_counter() - start
print(f"{elapsed / len(frames) * 1e6:.2f} {changed}")
