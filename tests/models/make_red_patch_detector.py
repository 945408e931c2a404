#!/usr/bin/python3
"""Builds the small, deterministic ONNX models HomeSec's tests and benchmark use.

Run with Debian's python (apt-get install python3-onnx python3-numpy):
    /usr/bin/python3 tests/models/make_red_patch_detector.py

red_patch_detector.onnx  (opset 13, ir_version 8)
    input  images  [N, 3, 640, 640] float RGB 0..1 (N dynamic, like an Ultralytics export with dynamic=True)
    output output0 [N, 6, 3]        YOLOv8 layout: rows cx, cy, w, h (input pixels), score(person), score(car)
    metadata names = {0: 'person', 1: 'car'} (Ultralytics format)
    anchor 0: the box around every bright red pixel, class person, score 0.9 when >= 50 red pixels
    anchor 1: the same box grown by 8 px, score 0.8 (a duplicate that NMS must suppress)
    anchor 2: the box around every bright blue pixel, class car, score 0.9 when >= 50 blue pixels

wrong_shape_classifier.onnx  (opset 13, ir_version 8)
    input images [N, 3, 640, 640], output [N, 3] (mean colour): not a detection model; the config must refuse it

bench_detector.onnx  (opset 13, ir_version 8)
    input  images  [N, 3, 640, 640], output output0 [N, 84, 8400] (80 COCO classes, no names metadata)
    a conv stack of roughly YOLOv8n's compute (~4 GMAC per frame) with constant weights made by
    ConstantOfShape (so the file stays tiny); class scores are sigmoid(~-10): it detects nothing.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 640


def const(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def save(model, file_name):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, file_name))
    print("wrote", file_name, os.path.getsize(os.path.join(HERE, file_name)), "bytes")


def red_patch_detector():
    nodes, inits = [], []
    inits += [
        const("xs", np.arange(SIZE, dtype=np.float32).reshape(1, 1, 1, SIZE)),
        const("ys", np.arange(SIZE, dtype=np.float32).reshape(1, 1, SIZE, 1)),
        const("size", [float(SIZE)]),
        const("thr", [0.3]),
        const("gain", [1000.0]),
        const("zero", [0.0]),
        const("one", [1.0]),
        const("half", [0.5]),
        const("min_pixels", [50.0]),
        const("score_main", [0.9]),
        const("score_dup", [0.8]),
        const("grow", [8.0]),
        numpy_helper.from_array(np.array([1, 1, 1], dtype=np.int64), "split_rgb"),
        numpy_helper.from_array(np.array([1, 2, 3], dtype=np.int64), "axes_123"),
    ]
    nodes.append(helper.make_node("Split", ["images"], ["r", "g", "b"], axis=1))
    # split takes its sizes as an input from opset 13 on
    nodes[-1].input.append("split_rgb")

    def patch(prefix, main, other1, other2):
        # mask = clip((main - other1 - other2 - 0.3) * 1000, 0, 1): a near-step "this pixel is bright <colour>"
        n = lambda op, ins, **kw: nodes.append(helper.make_node(op, ins, [f"{prefix}_{op}_{len(nodes)}"], **kw)) or nodes[-1].output[0]
        d = n("Sub", [main, other1])
        d = n("Sub", [d, other2])
        d = n("Sub", [d, "thr"])
        d = n("Mul", [d, "gain"])
        mask = n("Clip", [d, "zero", "one"])
        count = n("ReduceSum", [mask, "axes_123"], keepdims=0)               # [N] (axes are an input from opset 13 on)
        cols = n("ReduceMax", [mask], axes=[1, 2], keepdims=1)              # [N,1,1,W]
        rows = n("ReduceMax", [mask], axes=[1, 3], keepdims=1)              # [N,1,H,1]
        x2 = n("ReduceMax", [n("Mul", [cols, n("Add", ["xs", "one"])])], axes=[1, 2, 3], keepdims=0)
        x1 = n("Sub", ["size", n("ReduceMax", [n("Mul", [cols, n("Sub", ["size", "xs"])])], axes=[1, 2, 3], keepdims=0)])
        y2 = n("ReduceMax", [n("Mul", [rows, n("Add", ["ys", "one"])])], axes=[1, 2, 3], keepdims=0)
        y1 = n("Sub", ["size", n("ReduceMax", [n("Mul", [rows, n("Sub", ["size", "ys"])])], axes=[1, 2, 3], keepdims=0)])
        present = n("Clip", [n("Div", [count, "min_pixels"]), "zero", "one"])
        present = n("Floor", [present])                                     # 1 only with >= 50 pixels
        return x1, y1, x2, y2, present, n

    def box_rows(n, x1, y1, x2, y2, grow=None):
        if grow is not None:
            x1, y1 = n("Sub", [x1, grow]), n("Sub", [y1, grow])
            x2, y2 = n("Add", [x2, grow]), n("Add", [y2, grow])
        cx = n("Mul", [n("Add", [x1, x2]), "half"])
        cy = n("Mul", [n("Add", [y1, y2]), "half"])
        w = n("Sub", [x2, x1])
        h = n("Sub", [y2, y1])
        return [cx, cy, w, h]

    rx1, ry1, rx2, ry2, red, n = patch("red", "r", "g", "b")
    bx1, by1, bx2, by2, blue, _ = patch("blue", "b", "r", "g")
    zeros = n("Mul", [red, "zero"])
    anchors = [
        box_rows(n, rx1, ry1, rx2, ry2) + [n("Mul", [red, "score_main"]), zeros],
        box_rows(n, rx1, ry1, rx2, ry2, grow="grow") + [n("Mul", [red, "score_dup"]), zeros],
        box_rows(n, bx1, by1, bx2, by2) + [zeros, n("Mul", [blue, "score_main"])],
    ]
    anchor_outputs = []
    for i, rows in enumerate(anchors):
        # each row is [N]; make [N,1,1] and concatenate the 6 rows on axis 1 -> [N,6,1]
        unsq = [n("Unsqueeze", [r, "axes_12"]) for r in rows]
        anchor_outputs.append(n("Concat", unsq, axis=1))
    inits.append(numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes_12"))
    nodes.append(helper.make_node("Concat", anchor_outputs, ["output0"], axis=2))

    graph = helper.make_graph(
        nodes, "red_patch_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 6, 3])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="homesec-tests")
    helper.set_model_props(model, {"names": "{0: 'person', 1: 'car'}", "description": "HomeSec test model: red patch = person, blue patch = car"})
    save(model, "red_patch_detector.onnx")


def bench_detector():
    nodes, inits = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def conv(x, cin, cout, k, stride, act=True, bias=0.0, weight=1e-3):
        shape = name("wshape")
        inits.append(numpy_helper.from_array(np.array([cout, cin, k, k], dtype=np.int64), shape))
        w = name("w")
        nodes.append(helper.make_node("ConstantOfShape", [shape], [w], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [weight])))
        b = name("b")
        inits.append(const(b, np.full(cout, bias, dtype=np.float32)))
        y = name("conv")
        nodes.append(helper.make_node("Conv", [x, w, b], [y], kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4))
        if not act:
            return y
        z = name("relu")
        nodes.append(helper.make_node("Relu", [y], [z]))
        return z

    def head(x, cin, cells):
        box = conv(x, cin, 4, 1, 1, act=False, bias=16.0)
        cls = conv(x, cin, 80, 1, 1, act=False, bias=-10.0, weight=1e-6)
        sig = name("sig")
        nodes.append(helper.make_node("Sigmoid", [cls], [sig]))
        cat = name("cat")
        nodes.append(helper.make_node("Concat", [box, sig], [cat], axis=1))
        shape = name("shape")
        inits.append(numpy_helper.from_array(np.array([0, 84, cells], dtype=np.int64), shape))
        out = name("flat")
        nodes.append(helper.make_node("Reshape", [cat, shape], [out]))
        return out

    x = conv("images", 3, 16, 3, 2)          # 320
    x = conv(x, 16, 32, 3, 2)                # 160
    for _ in range(3):
        x = conv(x, 32, 32, 3, 1)
    x = conv(x, 32, 64, 3, 2)                # 80
    for _ in range(3):
        x = conv(x, 64, 64, 3, 1)
    p3 = head(x, 64, 6400)
    x = conv(x, 64, 128, 3, 2)               # 40
    for _ in range(3):
        x = conv(x, 128, 128, 3, 1)
    p4 = head(x, 128, 1600)
    x = conv(x, 128, 256, 3, 2)              # 20
    for _ in range(3):
        x = conv(x, 256, 256, 3, 1)
    p5 = head(x, 256, 400)
    nodes.append(helper.make_node("Concat", [p3, p4, p5], ["output0"], axis=2))
    graph = helper.make_graph(
        nodes, "bench_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 84, 8400])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="homesec-bench")
    save(model, "bench_detector.onnx")


def wrong_shape_classifier():
    node = helper.make_node("ReduceMean", ["images"], ["output0"], axes=[2, 3], keepdims=0)
    graph = helper.make_graph(
        [node], "wrong_shape_classifier",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 3])])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="homesec-tests"), "wrong_shape_classifier.onnx")


if __name__ == "__main__":
    red_patch_detector()
    wrong_shape_classifier()
    bench_detector()
