"""Draws a standing person (a dark silhouette with an adult's proportions on a light grey ground) as a PNG, for tests
of person detection: OpenCV's HOG people detector finds it once it is scaled to about 64x128 or larger.
Usage: person_sprite.py OUTPUT.png HEIGHT"""
import sys

import cv2
import numpy as np

GROUND, FIGURE = 200, 40


def polygon(picture, points):
    cv2.fillPoly(picture, [np.array(points, np.int32)], FIGURE)


def draw(height):
    unit = height / 8.0  # a head is an eighth of a standing adult
    picture = np.full((height + 20, int(height * 0.4) + 10), GROUND, np.uint8)
    x, top = picture.shape[1] / 2, 10
    cv2.ellipse(picture, (int(x), int(top + unit * 0.5)), (int(unit * 0.38), int(unit * 0.5)), 0, 0, 360, FIGURE, -1)
    cv2.rectangle(picture, (int(x - unit * 0.18), int(top + unit)), (int(x + unit * 0.18), int(top + unit * 1.2)), FIGURE, -1)
    polygon(picture, [(x - unit * 0.95, top + unit * 1.2), (x + unit * 0.95, top + unit * 1.2), (x + unit * 0.75, top + unit * 4.1),
                      (x - unit * 0.75, top + unit * 4.1)])
    for side in (-1, 1):
        polygon(picture, [(x + side * unit * 0.95, top + unit * 1.25), (x + side * unit * 1.25, top + unit * 1.4),
                          (x + side * unit * 1.2, top + unit * 4.3), (x + side * unit * 0.85, top + unit * 4.3)])  # arm
        polygon(picture, [(x + side * unit * 0.05, top + unit * 4.0), (x + side * unit * 0.75, top + unit * 4.0),
                          (x + side * unit * 0.65, top + unit * 7.8), (x + side * unit * 0.2, top + unit * 7.8)])  # leg
        cv2.rectangle(picture, (int(x + side * unit * 0.15), int(top + unit * 7.7)), (int(x + side * unit * 0.85), int(top + unit * 8)), FIGURE, -1)
    return picture


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or not 40 <= int(sys.argv[2]) <= 2000:
        sys.exit("usage: person_sprite.py OUTPUT.png HEIGHT (40-2000 pixels)")
    if not cv2.imwrite(sys.argv[1], draw(int(sys.argv[2]))):
        sys.exit(f"cannot write {sys.argv[1]}")


if __name__ == "__main__":
    main()
