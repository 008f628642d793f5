"""Probes for the torch.Tensor method rows that own their ops: __getitem__, transpose, expand,
repeat, tile, reshape. The rows with a torch function twin (abs, clamp, clip, eq, ge, ..., max,
min, argmax, argmin) match no op of their own (`ops: []`): they are reported as the function row
and have no probes here."""

import torch

from tests.probes import on, probe
from tests.probes.modules import fn

BAYES = on("bayes", "bayes_e")
ALL = on("bernoulli2", "bayes", "bayes_e")


def _inplace_transpose(x):
    y = x + x  # a fresh tensor to transpose in place (an add of two activations has no finding)
    return y.transpose_(1, 2)


def _transpose_forms(x):
    # Every form keeps dim 0 (N) in place.
    y = x.transpose(1, 2).swapaxes(2, 3).swapdims(1, 3).permute(0, 2, 3, 1)
    y = y.mT.movedim(1, 3).moveaxis(3, 2)
    return y


GETITEM = "tensor_getitem"
TRANSPOSE = "tensor_transpose"

PROBES = [
    # torch.Tensor.__getitem__: bernoulli2 input qint8/qint16/qint32, 4-D; bayes: no stated limit.
    probe("getitem slice 4-D", fn(lambda x: x[:, :, 1:3]), "1x4x6x6",
          ok=[f"bernoulli2.{GETITEM}.input_self_dtype", f"bernoulli2.{GETITEM}.four_d"]),
    probe("getitem slice qint16", fn(lambda x: x[:, 1:3, ::2]), "1x4x6x6", activation_dtype="qint16",
          ok=[f"bernoulli2.{GETITEM}.input_self_dtype"]),
    probe("getitem index list", fn(lambda x: x[:, [0, 2]]), "1x4x6x6",
          ok=[f"bernoulli2.{GETITEM}.four_d", f"bernoulli2.{GETITEM}.input_self_dtype"]),
    probe("getitem narrow", fn(lambda x: x.narrow(3, 0, 2)), "1x4x6x6",
          ok=[f"bernoulli2.{GETITEM}.four_d"]),
    probe("getitem select 3-D", fn(lambda x: x[:, 0]), "1x4x6x6",
          fail=[f"bernoulli2.{GETITEM}.four_d"]),
    probe("getitem int32 input", fn(lambda x: x[:, :, 1:3]), "1x4x6x6", input_dtypes=("int32",),
          fail=[f"bernoulli2.{GETITEM}.input_self_dtype"]),
    probe("getitem int32 torchscript", fn(lambda x: x[:, [0, 2], 1:3]), "1x4x6x6", input_dtypes=("int32",),
          via="torchscript", fail=[f"bernoulli2.{GETITEM}.input_self_dtype"]),
    probe("getitem torchscript", fn(lambda x: x[:, 1:3, 2:4]), "1x4x6x6", via="torchscript",
          ok=[f"bernoulli2.{GETITEM}.four_d", f"bernoulli2.{GETITEM}.input_self_dtype"]),
    probe("getitem select torchscript", fn(lambda x: x[:, 0]), "1x4x6x6", via="torchscript",
          fail=[f"bernoulli2.{GETITEM}.four_d"]),

    # torch.Tensor.transpose: bernoulli2 unsupported; bayes input qint8/16/32, never the N dim.
    probe("transpose 1 2", fn(lambda x: x.transpose(1, 2)), "1x2x3x4",
          ok=BAYES(f"{TRANSPOSE}.batch_dim") + BAYES(f"{TRANSPOSE}.input_dtype"),
          fail=f"bernoulli2.{TRANSPOSE}.supported"),
    probe("transpose qint16", fn(lambda x: x.transpose(2, 3)), "1x2x3x4", activation_dtype="qint16",
          ok=BAYES(f"{TRANSPOSE}.input_dtype")),
    probe("transpose 0 1", fn(lambda x: x.transpose(0, 1)), "1x2x3x4",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("transpose negative dims", fn(lambda x: x.transpose(-4, -1)), "1x2x3x4",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("transpose int32 input", fn(lambda x: x.transpose(1, 2)), "1x2x3x4", input_dtypes=("int32",),
          fail=BAYES(f"{TRANSPOSE}.input_dtype")),
    probe("transpose forms keep N", fn(_transpose_forms), "1x2x3x4",
          ok=BAYES(f"{TRANSPOSE}.batch_dim"), fail=f"bernoulli2.{TRANSPOSE}.supported"),
    probe("transpose in-place", fn(_inplace_transpose), "1x2x3x4",
          ok=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("permute keeps N", fn(lambda x: x.permute(0, 2, 3, 1)), "1x2x3x4",
          ok=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("permute moves N", fn(lambda x: x.permute(1, 0, 2, 3)), "1x2x3x4",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("movedim moves N", fn(lambda x: x.movedim(0, 2)), "1x2x3x4",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("t of a 2-D tensor", fn(lambda x: x.flatten(1).t()), "2x3x1x1",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),
    probe("transpose torchscript", fn(lambda x: x.transpose(1, 3)), "1x2x3x4", via="torchscript",
          ok=BAYES(f"{TRANSPOSE}.batch_dim") + BAYES(f"{TRANSPOSE}.input_dtype"),
          fail=f"bernoulli2.{TRANSPOSE}.supported"),
    probe("permute torchscript moves N", fn(lambda x: x.permute(3, 1, 2, 0)), "1x2x3x4", via="torchscript",
          fail=BAYES(f"{TRANSPOSE}.batch_dim")),

    # torch.Tensor.expand / repeat / tile: bernoulli2 unsupported; bayes input qint8/qint16.
    probe("tensor expand", fn(lambda x: x.expand(1, 4, 3, 4)), "1x4x1x4",
          ok=BAYES("tensor_expand.input_dtype"), fail="bernoulli2.tensor_expand.supported"),
    probe("tensor expand_as and broadcast_to", fn(lambda x: torch.broadcast_to(x, (1, 4, 3, 4)).expand_as(
        torch.zeros(2, 4, 3, 4))), "1x4x1x4", activation_dtype="qint16",
          ok=BAYES("tensor_expand.input_dtype"), fail="bernoulli2.tensor_expand.supported"),
    probe("tensor expand int32 input", fn(lambda x: x.expand(1, 4, 3, 4)), "1x4x1x4", input_dtypes=("int32",),
          fail=BAYES("tensor_expand.input_dtype")),
    probe("tensor expand torchscript", fn(lambda x: x.expand(2, 4, 3, 4)), "1x4x1x4", via="torchscript",
          ok=BAYES("tensor_expand.input_dtype"), fail="bernoulli2.tensor_expand.supported"),
    probe("tensor repeat", fn(lambda x: x.repeat(1, 1, 2, 1)), "1x2x3x4",
          ok=BAYES("tensor_repeat.input_dtype"), fail="bernoulli2.tensor_repeat.supported"),
    probe("tensor repeat qint16", fn(lambda x: x.repeat(2, 1, 1, 1)), "1x2x3x4", activation_dtype="qint16",
          ok=BAYES("tensor_repeat.input_dtype")),
    probe("tensor repeat int32 input", fn(lambda x: x.repeat(1, 1, 2, 1)), "1x2x3x4", input_dtypes=("int32",),
          fail=BAYES("tensor_repeat.input_dtype")),
    probe("tensor repeat torchscript", fn(lambda x: x.repeat(1, 2, 1, 1)), "1x2x3x4", via="torchscript",
          ok=BAYES("tensor_repeat.input_dtype"), fail="bernoulli2.tensor_repeat.supported"),
    probe("tensor tile", fn(lambda x: x.tile(1, 1, 2, 1)), "1x2x3x4",
          ok=BAYES("tensor_tile.input_dtype"), fail="bernoulli2.tensor_tile.supported"),
    probe("tensor tile short dims qint16", fn(lambda x: x.tile(2, 1)), "1x2x3x4", activation_dtype="qint16",
          ok=BAYES("tensor_tile.input_dtype")),
    probe("tensor tile int32 input", fn(lambda x: x.tile(1, 1, 2, 1)), "1x2x3x4", input_dtypes=("int32",),
          fail=BAYES("tensor_tile.input_dtype")),
    probe("tensor tile torchscript", fn(lambda x: x.tile(1, 2, 1, 1)), "1x2x3x4", via="torchscript",
          ok=BAYES("tensor_tile.input_dtype"), fail="bernoulli2.tensor_tile.supported"),

    # torch.Tensor.reshape: bernoulli2 unsupported (the rule has no bayes limits); every form.
    probe("tensor reshape", fn(lambda x: x.reshape(1, 2, 12)), "1x2x3x4",
          fail="bernoulli2.tensor_reshape.supported"),
    probe("tensor view", fn(lambda x: x.view(1, 2, 12)), "1x2x3x4", fail="bernoulli2.tensor_reshape.supported"),
    probe("tensor flatten", fn(lambda x: x.flatten(1)), "1x2x3x4", fail="bernoulli2.tensor_reshape.supported"),
    probe("tensor unsqueeze via None index", fn(lambda x: x[None]), "1x2x3x4",
          fail="bernoulli2.tensor_reshape.supported"),
    probe("tensor squeeze", fn(lambda x: x.squeeze(0)), "1x2x3x4", fail="bernoulli2.tensor_reshape.supported"),
    probe("tensor reshape torchscript", fn(lambda x: x.reshape(2, 12)), "1x2x3x4", via="torchscript",
          fail="bernoulli2.tensor_reshape.supported"),
]
