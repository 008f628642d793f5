"""Per-layer statuses of six real models on every march, judged by the qcheck on PYTHONPATH
(issue 15, the readings of ambiguous cells: before and after).

Usage: PYTHONPATH=TREE python bench/readings_measure.py OUT.json, once with the tree before the
change and once after; then python bench/readings_diff.py BEFORE.json AFTER.json.
Models are built without weights (seeded) and captured in each run; YOLOv8n is exported here with
torch.export and converted with program_to_graph.
"""
import json, os, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import torch



def build(name):
    if name == "yolov8n":
        from ultralytics.nn.tasks import DetectionModel
        return DetectionModel("yolov8n.yaml", verbose=False).eval(), (1, 3, 640, 640)
    if name == "vit_tiny_patch16_224":
        import timm
        return timm.create_model("vit_tiny_patch16_224", pretrained=False).eval(), (1, 3, 224, 224)
    if name == "ghostnet_100":
        import timm
        return timm.create_model("ghostnet_100", pretrained=False).eval(), (1, 3, 224, 224)
    if name == "squeezenet1_0":
        import torchvision
        return torchvision.models.squeezenet1_0(weights=None).eval(), (1, 3, 224, 224)
    if name == "swin_t":
        import torchvision
        return torchvision.models.swin_t(weights=None).eval(), (1, 3, 224, 224)
    if name == "bert_small":
        from transformers import BertConfig, BertModel
        config = BertConfig(hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                            intermediate_size=1024, vocab_size=30522)
        model = BertModel(config).eval()

        class Wrap(torch.nn.Module):
            def __init__(self, m):
                super().__init__(); self.m = m
            def forward(self, ids):
                return self.m(input_ids=ids).last_hidden_state
        return Wrap(model), None
    raise KeyError(name)


def graph_of(name):
    torch.manual_seed(0)
    from qcheck.capture import capture_module
    from qcheck.capture.export import program_to_graph, module_attributes
    model, shape = build(name)
    if name == "bert_small":
        example = (torch.randint(0, 30522, (1, 128)),)
    else:
        example = (torch.randn(*shape),)
    if name == "yolov8n":
        with torch.no_grad():
            program = torch.export.export(model, example, strict=False)
        graph = program_to_graph(program, module_attrs=module_attributes(model))
    else:
        graph = capture_module(model, example, name)
    return graph


MODELS = ["yolov8n", "vit_tiny_patch16_224", "squeezenet1_0", "ghostnet_100", "swin_t", "bert_small"]


def main(out):
    from qcheck.api import check_graph
    from qcheck.options import Options
    from qcheck.rules import load_rules
    import qcheck
    rules = load_rules()
    result = {"qcheck": qcheck.__file__, "models": {}}
    for name in MODELS:
        t = time.time()
        graph = graph_of(name)
        per = {}
        for march in rules.marches:
            report = check_graph(graph, name, Options(march=march), rules)
            per[march] = {"verdict": report.verdict if hasattr(report, "verdict") else None,
                          "layers": [{"name": l.name, "op": l.op, "status": l.status,
                                      "findings": [[f.rule, f.severity, f.message] for f in l.findings]}
                                     for l in report.layers]}
        result["models"][name] = per
        print(name, f"{time.time() - t:.1f}s", {m: sum(1 for l in per[m]["layers"] if l["status"] == "fail")
                                                 for m in per}, flush=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
