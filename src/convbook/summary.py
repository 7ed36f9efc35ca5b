"""The layer-by-layer table of a network: shapes, parameters, costs, fields.

:func:`summarize` runs a list of the layer descriptions of
:mod:`convbook.layers` over an input shape and returns a :class:`Summary`,
one :class:`LayerSummary` row per layer, with totals, a text table and JSON.
The command line (:mod:`convbook.cli`) prints it.

Shapes are ``(C, H, W)``: channels first, as in PyTorch, for one sample.
Parameters and MACs are counted as in :mod:`convbook.layers`; *activations*
are the values in a layer's output, and stored as float32 they take 4 bytes
each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ._checks import check_int, show
from .layers import Layer, check_shape
from .receptive import ReceptiveField, receptive_fields

__all__ = ["LayerSummary", "Summary", "summarize"]


_FLOAT32_BYTES = 4


@dataclass(frozen=True)
class LayerSummary:
    """One row of a :class:`Summary`: a layer and what it produces.

    Attributes
    ----------
    index : int
        Position of the layer, counted from 1.
    name : str
        Short description, e.g. ``'Conv2d(3->16, 3x3, s1, p1)'``.
    layer : object
        The layer itself.
    input_shape, output_shape : (int, int, int)
        ``(C, H, W)`` before and after the layer.
    parameters : int
        Learned values of the layer.
    macs : int
        Multiply-accumulates for the whole batch.
    activations : int
        Values in the output of one sample, ``C * H * W``.
    activation_bytes : int
        Memory of the output for the whole batch in float32.
    receptive_field : (ReceptiveField, ReceptiveField)
        Field of the output units along the height and the width.
    """

    index: int
    name: str
    layer: Any
    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]
    parameters: int
    macs: int
    activations: int
    activation_bytes: int
    receptive_field: tuple[ReceptiveField, ReceptiveField]

    def to_dict(self) -> dict[str, Any]:
        """Return the row as plain JSON-ready values (no layer object)."""
        height, width = self.receptive_field
        return {
            "index": self.index,
            "name": self.name,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "parameters": self.parameters,
            "macs": self.macs,
            "activations": self.activations,
            "activation_bytes": self.activation_bytes,
            "receptive_field": {
                "size": [height.size, width.size],
                "stride": [height.stride, width.stride],
                "start": [height.start, width.start],
            },
        }


def _both(height: int, width: int) -> str:
    return str(height) if height == width else f"{height}x{width}"


@dataclass(frozen=True)
class Summary(Sequence[LayerSummary]):
    """The layer-by-layer table of a network, returned by :func:`summarize`.

    It behaves as a sequence of :class:`LayerSummary` rows and adds totals
    and renderings.

    Attributes
    ----------
    input_shape : (int, int, int)
        The network's ``(C, H, W)`` input.
    rows : tuple of LayerSummary
        One row per layer.
    batch : int
        Samples per batch; scales ``macs`` and ``activation_bytes``.
    """

    input_shape: tuple[int, int, int]
    rows: tuple[LayerSummary, ...]
    batch: int = 1

    @overload
    def __getitem__(self, index: int) -> LayerSummary: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[LayerSummary, ...]: ...
    def __getitem__(
        self, index: int | slice
    ) -> LayerSummary | tuple[LayerSummary, ...]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[LayerSummary]:
        return iter(self.rows)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """Shape ``(C, H, W)`` of the last layer's output."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def total_parameters(self) -> int:
        """Sum of the layers' parameters."""
        return sum(row.parameters for row in self.rows)

    @property
    def total_macs(self) -> int:
        """Sum of the layers' multiply-accumulates for the batch."""
        return sum(row.macs for row in self.rows)

    @property
    def total_activation_bytes(self) -> int:
        """Float32 memory of all layer outputs for the batch."""
        return sum(row.activation_bytes for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain, JSON-ready values."""
        return {
            "input_shape": list(self.input_shape),
            "batch": self.batch,
            "layers": [row.to_dict() for row in self.rows],
            "output_shape": list(self.output_shape),
            "total_parameters": self.total_parameters,
            "total_macs": self.total_macs,
            "total_activation_bytes": self.total_activation_bytes,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return :meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        """Return an aligned plain-ASCII table, one line per layer.

        The columns are the layer's position and name, its output shape
        ``CxHxW``, parameters, MACs, and the receptive field's size, jump and
        start (``HxW`` when height and width differ). The per-layer memory is
        in :meth:`to_dict`; the text gives its total.
        """
        header = (
            "#",
            "Layer",
            "Output",
            "Params",
            "MACs",
            "RF",
            "Jump",
            "Start",
        )
        lines = []
        for row in self.rows:
            height, width = row.receptive_field
            lines.append(
                (
                    str(row.index),
                    row.name,
                    "x".join(str(n) for n in row.output_shape),
                    f"{row.parameters:,}",
                    f"{row.macs:,}",
                    _both(height.size, width.size),
                    _both(height.stride, width.stride),
                    _both(height.start, width.start),
                )
            )
        widths = [
            max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))
        ]
        left = {1, 2}  # the name and shape columns read better left-aligned

        def render(cells: Sequence[str]) -> str:
            return "  ".join(
                cell.ljust(w) if i in left else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        rule = "-" * len(render(header))
        shape = "x".join(str(n) for n in self.input_shape)
        total_macs = self.total_macs
        return "\n".join(
            [
                f"Input: {shape} (C x H x W), batch {self.batch}",
                rule,
                render(header),
                rule,
                *(render(cells) for cells in lines),
                rule,
                f"Total parameters: {self.total_parameters:,}",
                f"Total MACs: {total_macs:,} (about {2 * total_macs:,} FLOPs)",
                f"Activation memory: {self.total_activation_bytes:,} bytes (float32)",
                "RF: receptive field size; Jump: distance between neighbouring fields;",
                "Start: first input pixel seen by output unit 0 (negative: in the "
                "padding).",
            ]
        )

    def __str__(self) -> str:
        return self.to_text()


def summarize(
    input_shape: Sequence[int], layers: Iterable[Any], *, batch: int = 1
) -> Summary:
    r"""Return the layer-by-layer shapes, parameters, costs and receptive fields.

    Parameters
    ----------
    input_shape : (int, int, int)
        The input ``(C, H, W)`` of one sample, channels first as in PyTorch.
    layers : iterable of layers
        ``Conv2d``, ``ReLU``, ``MaxPool2d`` and ``AvgPool2d`` objects, applied
        in order.
    batch : int, default 1
        Samples per batch; multiplies the MACs and the activation memory.

    Returns
    -------
    Summary
        A sequence of :class:`LayerSummary` rows with totals,
        :meth:`Summary.to_text` and :meth:`Summary.to_json`.

    Raises
    ------
    TypeError
        If ``input_shape`` is not a triple of integers or an element of
        ``layers`` is not a layer.
    ValueError
        If a layer rejects its input shape; the message starts with the
        layer's position and name.

    See Also
    --------
    ~convbook.receptive.receptive_field, ~convbook.shapes.output_size

    Notes
    -----
    Layer :math:`l` turns :math:`(C_{l-1}, H_{l-1}, W_{l-1})` into
    :math:`(C_l, H_l, W_l)` with
    :func:`convbook.output_size <convbook.shapes.output_size>` on each axis;
    for a convolution with :math:`K_l` filters, :math:`C_l = K_l` and

    .. math::

        \text{MACs}_l = K_l\, H_l W_l\, C_{l-1}\, k_h k_w .

    Examples
    --------
    The network of the book's question, two 3x3 convolutions with padding 1:

    >>> from convbook import Conv2d, ReLU, summarize
    >>> layers = [Conv2d(3, 16, 3, padding=1), ReLU(),
    ...           Conv2d(16, 32, 3, padding=1), ReLU()]
    >>> summary = summarize((3, 28, 28), layers)
    >>> [row.output_shape for row in summary]
    [(16, 28, 28), (16, 28, 28), (32, 28, 28), (32, 28, 28)]
    >>> summary.total_parameters, summary.total_macs
    (5088, 3951360)
    >>> summary[2].receptive_field[0]
    ReceptiveField(size=5, stride=1, start=-2)
    """
    shape = check_shape("input_shape", input_shape)
    batch = check_int("batch", batch, minimum=1)
    if isinstance(layers, str) or not isinstance(layers, Iterable):
        raise TypeError(f"`layers` must be a sequence of layers, got {show(layers)}")
    layers = list(layers)
    rows = []
    shapes = [shape]
    for index, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"`layers[{index - 1}]` must be a layer such as Conv2d, ReLU, "
                f"MaxPool2d or AvgPool2d, got {show(layer)}"
            )
        try:
            out_shape = layer.output_shape(shapes[-1])
        except ValueError as error:
            raise ValueError(f"layer {index} {layer}: {error}") from None
        shapes.append(out_shape)
    heights = receptive_fields(layers, axis="height", input_shape=shape)
    widths = receptive_fields(layers, axis="width", input_shape=shape)
    for index, layer in enumerate(layers, start=1):
        in_shape, out_shape = shapes[index - 1], shapes[index]
        activations = out_shape[0] * out_shape[1] * out_shape[2]
        rows.append(
            LayerSummary(
                index=index,
                name=str(layer),
                layer=layer,
                input_shape=in_shape,
                output_shape=out_shape,
                parameters=layer.parameters,
                macs=layer.macs(in_shape) * batch,
                activations=activations,
                activation_bytes=activations * _FLOAT32_BYTES * batch,
                receptive_field=(heights[index - 1], widths[index - 1]),
            )
        )
    return Summary(input_shape=shape, rows=tuple(rows), batch=batch)
