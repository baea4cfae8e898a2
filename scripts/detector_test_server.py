"""A small object-detection server speaking the DeepStack / CodeProject.AI API, for tests: `POST /v1/vision/detection`
with a multipart `image` field answers `{"success": true, "predictions": [{"label": "person", "confidence", "x_min",
"y_min", "x_max", "y_max"}]}`, found by OpenCV 4's HOG people detector (OpenCV 5 dropped it). Prints `listening on PORT` once ready.
Usage: detector_test_server.py [--port N] (0 picks a free port)."""
import argparse
import cgi
import json
import signal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

HOG = cv2.HOGDescriptor()
HOG.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())


def detect(image_bytes):
    picture = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if picture is None:
        raise ValueError("the image could not be decoded")
    scale = 1.0
    # HOG's window is 64×128: small pictures are enlarged so that a person filling them can be found.
    if picture.shape[0] < 256:
        scale = 256 / picture.shape[0]
        picture = cv2.resize(picture, None, fx=scale, fy=scale)
    boxes, weights = HOG.detectMultiScale(picture, winStride=(8, 8), padding=(8, 8), scale=1.05)
    predictions = []
    for (x, y, w, h), weight in zip(boxes, np.array(weights).reshape(-1)):
        predictions.append({"label": "person", "confidence": round(float(min(1.0, max(0.0, weight / 2))), 3),
                            "x_min": int(x / scale), "y_min": int(y / scale), "x_max": int((x + w) / scale), "y_max": int((y + h) / scale)})
    return predictions


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/v1/vision/detection":
            return self.answer(404, {"success": False, "error": "unknown path"})
        form = cgi.FieldStorage(fp=self.rfile, headers=self.headers, environ={"REQUEST_METHOD": "POST", "CONTENT_TYPE": self.headers["Content-Type"]})
        if "image" not in form:
            return self.answer(400, {"success": False, "error": "send the picture as the multipart field image"})
        try:
            predictions = detect(form["image"].file.read())
        except ValueError as error:
            return self.answer(200, {"success": False, "error": str(error)})
        self.answer(200, {"success": True, "predictions": predictions})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    # A parent may start us with its signals blocked (Foundation's Process passes its thread's mask on): unblock the
    # ones that stop us, so that terminating the server ends it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, signal.SIG_DFL)  # an ignored signal is inherited too
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
