"""The seed CNN as an ONNX graph, written layer by layer from the loaded model's tensors.

No exporter runs the model: each supported layer (Conv2d, ReLU, MaxPool2d, AvgPool2d,
Flatten, Linear, Dropout) maps to one ONNX node and its weights are copied as
initialisers, so the graph holds exactly the numbers of the safetensors file it came
from, and nothing is read from or written to disk. Any other layer raises ``TypeError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

INPUT_NAME = "faces"
OUTPUT_NAME = "logits"
# ONNX opset of the graph: every op used here has kept its meaning since opset 11; 17 is
# supported by every onnxruntime and OpenCV release of the last years.
OPSET = 17


def seed_cnn_to_onnx(model: nn.Module, input_size: int) -> Any:
    """An ``onnx.ModelProto`` computing ``model``'s logits for float (N,1,S,S) input.

    ``model`` must be a sequence of supported layers split as ``features`` then
    ``classifier`` (the seed CNN's form); the batch dimension is dynamic.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    layers = [*_children(model, "features"), *_children(model, "classifier")]
    nodes: list[Any] = []
    initializers: list[Any] = []
    current = INPUT_NAME
    for index, layer in enumerate(layers):
        name = f"{type(layer).__name__.lower()}{index}"
        if isinstance(layer, nn.Dropout):
            continue  # identity at inference
        output = f"{name}_out"
        if isinstance(layer, nn.Conv2d):
            _check_conv(layer)
            inputs = [current, *_parameters(numpy_helper, layer, name, initializers)]
            pad_h, pad_w = _pair(layer.padding)
            nodes.append(
                helper.make_node(
                    "Conv",
                    inputs,
                    [output],
                    name=name,
                    kernel_shape=list(_pair(layer.kernel_size)),
                    strides=list(_pair(layer.stride)),
                    pads=[pad_h, pad_w, pad_h, pad_w],
                )
            )
        elif isinstance(layer, nn.ReLU):
            nodes.append(helper.make_node("Relu", [current], [output], name=name))
        elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            nodes.append(_pool_node(helper, layer, current, output, name))
        elif isinstance(layer, nn.Flatten):
            if layer.start_dim != 1 or layer.end_dim != -1:
                raise TypeError(f"only Flatten(1, -1) is supported, got {layer}")
            nodes.append(helper.make_node("Flatten", [current], [output], name=name, axis=1))
        elif isinstance(layer, nn.Linear):
            inputs = [current, *_parameters(numpy_helper, layer, name, initializers)]
            nodes.append(helper.make_node("Gemm", inputs, [output], name=name, transB=1))
        else:
            raise TypeError(f"no ONNX form for layer {type(layer).__name__}")
        current = output
    nodes.append(helper.make_node("Identity", [current], [OUTPUT_NAME], name="output"))
    graph = helper.make_graph(
        nodes,
        "seed_cnn",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", 1, input_size, input_size])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", None])],
        initializers,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="emotion_app")
    # IR 8 is read by every onnxruntime since 1.10; the newest IR may be ahead of the runtime.
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return proto


def _children(model: nn.Module, name: str) -> list[nn.Module]:
    part = getattr(model, name, None)
    if not isinstance(part, nn.Sequential):
        raise TypeError(f"ONNX export needs a model with a Sequential '{name}'; got {type(model).__name__}")
    return list(part)


def _check_conv(layer: nn.Conv2d) -> None:
    if (
        layer.groups != 1
        or _pair(layer.dilation) != (1, 1)
        or layer.padding_mode != "zeros"
        or isinstance(layer.padding, str)
    ):
        raise TypeError(f"only plain convolutions are supported, got {layer}")


def _pool_node(helper: Any, layer: nn.MaxPool2d | nn.AvgPool2d, source: str, output: str, name: str) -> Any:
    if layer.ceil_mode:
        raise TypeError(f"ceil_mode pooling is not supported, got {layer}")
    kernel = _pair(layer.kernel_size)
    stride = _pair(layer.stride if layer.stride is not None else layer.kernel_size)
    pad_h, pad_w = _pair(layer.padding)
    attributes: dict[str, Any] = {
        "kernel_shape": list(kernel),
        "strides": list(stride),
        "pads": [pad_h, pad_w, pad_h, pad_w],
    }
    if isinstance(layer, nn.MaxPool2d):
        if _pair(layer.dilation) != (1, 1):
            raise TypeError(f"dilated pooling is not supported, got {layer}")
        return helper.make_node("MaxPool", [source], [output], name=name, **attributes)
    if layer.divisor_override is not None:
        raise TypeError(f"divisor_override pooling is not supported, got {layer}")
    return helper.make_node(
        "AveragePool", [source], [output], name=name, count_include_pad=int(layer.count_include_pad), **attributes
    )


def _parameters(numpy_helper: Any, layer: nn.Conv2d | nn.Linear, name: str, initializers: list[Any]) -> list[str]:
    """Adds ``layer``'s weight (and bias, if it has one) to ``initializers``; returns their names."""
    names = [f"{name}.weight"]
    initializers.append(numpy_helper.from_array(_array(layer.weight), names[0]))
    if layer.bias is not None:
        names.append(f"{name}.bias")
        initializers.append(numpy_helper.from_array(_array(layer.bias), names[1]))
    return names


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    first, second = value
    return int(first), int(second)


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to(torch.float32).cpu().numpy().copy()
