"""Real models exported to ONNX the way the vendor's PTQ flow takes them: torch's TorchScript-based
exporter at opset 11, YOLO heads cut before decoding as the vendor's model zoo does."""

from __future__ import annotations

import os
import types
import warnings


def _cut_head(model):
    """The vendor zoo's YOLO export: each scale's box and class convolutions returned as NHWC,
    no DFL, decoding or NMS in the graph."""
    head = model.model[-1]

    def forward(self, x):
        outputs = []
        for i in range(self.nl):
            outputs.append(self.cv2[i](x[i]).permute(0, 2, 3, 1))
            outputs.append(self.cv3[i](x[i]).permute(0, 2, 3, 1))
        return outputs

    head.forward = types.MethodType(forward, head)
    return model


def export(name: str, folder: str) -> str:
    import torch

    os.environ.setdefault("YOLO_OFFLINE", "1")
    if name == "resnet18":
        import torchvision

        model, shape = torchvision.models.resnet18(weights=None), (1, 3, 224, 224)
    else:
        from ultralytics.nn.tasks import DetectionModel

        model, shape = _cut_head(DetectionModel(f"{name}.yaml", verbose=False)), (1, 3, 640, 640)
    model.eval()
    path = os.path.join(folder, f"{name}.onnx")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.rand(shape),), path, dynamo=False, opset_version=11)
    return path
