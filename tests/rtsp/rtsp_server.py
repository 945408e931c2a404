#!/usr/bin/python3
"""Synthetic RTSP camera for HomeSec's tests (GStreamer's RTSP server, Debian packages).

Run with Debian's /usr/bin/python3:
  rtsp_server.py --port 8554 --mount motion=still:6,move:3 --mount still=still:0

Each mount serves H.264 (640x360, 10 fps, one keyframe per second) from a scripted timeline that
starts when the first client connects (the media is shared, so a detect reader and a recorder that
connect to one mount see the same frames). A timeline is a list of phases, `still:SECONDS` or
`move:SECONDS` or `red:SECONDS`; after the last phase the scene stays still. During `move` a bright box sweeps left and
right; during `red` the same box is pure red (what tests/models/red_patch_detector.onnx sees as a person). Every frame carries its number as 16 binary blocks along the top edge (12x12 pixels each,
bright = 1, least significant bit first), so tests can map a decoded frame back to the timeline:
frame n is shown at n / fps seconds. Prints "READY <port>" once it listens.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 360, 10
BLOCK, BITS = 12, 16
BOX, BOX_Y, BOX_SPEED = 120, 150, 200  # pixels, pixels, pixels per second


def parse_timeline(text):
    phases = []
    for part in filter(None, text.split(",")):
        kind, seconds = part.split(":")
        if kind not in ("still", "move", "red"):
            raise ValueError(f"unknown phase {kind!r}")
        phases.append((kind, float(seconds)))
    return phases


def moving_at(phases, seconds):
    """(kind of the box shown: None, "move" or "red"; seconds since its phase began)."""
    start = 0.0
    for kind, length in phases:
        if start <= seconds < start + length:
            return (None if kind == "still" else kind), seconds - start
        start += length
    return None, 0.0


def base_picture():
    picture = bytearray([60]) * (WIDTH * HEIGHT)
    # Static texture (vertical bars) so the still scene is not a flat colour.
    for y in range(40, HEIGHT):
        row = y * WIDTH
        for x in range(0, WIDTH, 80):
            picture[row + x:row + x + 8] = b"\x50" * 8
    return picture


class Scene:
    def __init__(self, phases):
        self.phases = phases
        self.base = base_picture()
        self.chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
        self.box_row = bytes([220]) * BOX
        # Pure red in BT.601 limited-range YUV: Y 81, U 90, V 240 (chroma planes are quarter size).
        self.red_luma = bytes([81]) * BOX
        self.red_u = bytes([90]) * (BOX // 2)
        self.red_v = bytes([240]) * (BOX // 2)
        self.one = bytes([235]) * BLOCK
        self.zero = bytes([16]) * BLOCK

    def frame(self, number):
        luma = bytearray(self.base)
        chroma = None
        kind, since = moving_at(self.phases, number / FPS)
        if kind is not None:
            travel = WIDTH - BOX
            position = int(since * BOX_SPEED) % (2 * travel)
            x = position if position < travel else 2 * travel - position
            row = self.red_luma if kind == "red" else self.box_row
            for y in range(BOX_Y, BOX_Y + BOX):
                luma[y * WIDTH + x:y * WIDTH + x + BOX] = row
            if kind == "red":
                x -= x % 2
                chroma = bytearray(self.chroma)
                quarter, half = WIDTH * HEIGHT // 4, WIDTH // 2
                for y in range(BOX_Y // 2, (BOX_Y + BOX) // 2):
                    start = y * half + x // 2
                    chroma[start:start + BOX // 2] = self.red_u
                    chroma[quarter + start:quarter + start + BOX // 2] = self.red_v
        for bit in range(BITS):
            block = self.one if (number >> bit) & 1 else self.zero
            for y in range(BLOCK):
                start = y * WIDTH + bit * BLOCK
                luma[start:start + BLOCK] = block
        return bytes(luma) + (bytes(chroma) if chroma is not None else self.chroma)


class TimelineFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, phases):
        super().__init__()
        self.phases = phases
        self.set_shared(True)
        self.set_launch(
            "( appsrc name=source is-live=true format=time do-timestamp=false "
            f"caps=video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1 "
            f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={FPS} bitrate=1000 "
            "! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )")
        self.connect("media-configure", self.on_media_configure)

    def on_media_configure(self, _factory, media):
        source = media.get_element().get_child_by_name("source")
        state = {"number": 0, "scene": Scene(self.phases)}
        source.connect("need-data", self.on_need_data, state)

    @staticmethod
    def on_need_data(source, _length, state):
        number = state["number"]
        buffer = Gst.Buffer.new_wrapped(state["scene"].frame(number))
        buffer.pts = number * Gst.SECOND // FPS
        buffer.duration = Gst.SECOND // FPS
        state["number"] = number + 1
        source.emit("push-buffer", buffer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", default=[], help="NAME=TIMELINE, e.g. motion=still:6,move:3")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for spec in args.mount:
        name, timeline = spec.split("=", 1)
        mounts.add_factory("/" + name, TimelineFactory(parse_timeline(timeline)))
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        sys.exit(1)

    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"READY {args.port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
