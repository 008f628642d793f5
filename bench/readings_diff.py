"""Compare two runs of bench/readings_measure.py: per model and march, the verdicts, the status
counts and every layer whose status changed, grouped by the findings that went and came."""
import collections, json, sys
before = json.load(open(sys.argv[1]))["models"]
after = json.load(open(sys.argv[2]))["models"]
for model in before:
    print(f"## {model}")
    for march in before[model]:
        b, a = before[model][march], after[model][march]
        bl = {l["name"]: l for l in b["layers"]}
        al = {l["name"]: l for l in a["layers"]}
        assert set(bl) == set(al), (model, march)
        cb = collections.Counter(l["status"] for l in b["layers"])
        ca = collections.Counter(l["status"] for l in a["layers"])
        changed = [(n, bl[n]["status"], al[n]["status"]) for n in bl if bl[n]["status"] != al[n]["status"]]
        print(f"  {march}: verdict {b['verdict']} -> {a['verdict']}; layers {len(bl)}; "
              f"fail {cb['fail']}->{ca['fail']}, warn {cb['warn']}->{ca['warn']}, pass {cb['pass']}->{ca['pass']}; "
              f"{len(changed)} layers change status")
        why = collections.Counter()
        for n, s0, s1 in changed:
            r0 = {(f[0].split('.', 1)[1], f[1]) for f in bl[n]["findings"]}
            r1 = {(f[0].split('.', 1)[1], f[1]) for f in al[n]["findings"]}
            why[(s0, s1, al[n]["op"], tuple(sorted(r0 - r1)), tuple(sorted(r1 - r0)))] += 1
        for (s0, s1, op, gone, new), count in sorted(why.items(), key=lambda kv: -kv[1]):
            print(f"      {count} x {op}: {s0} -> {s1}; gone {list(gone)}; new {list(new)}")
        # findings that changed without a status change (message or severity)
        quiet = collections.Counter()
        for n in bl:
            if bl[n]["status"] == al[n]["status"]:
                r0 = {(f[0].split('.', 1)[1], f[1]) for f in bl[n]["findings"]}
                r1 = {(f[0].split('.', 1)[1], f[1]) for f in al[n]["findings"]}
                if r0 != r1:
                    quiet[(al[n]["op"], al[n]["status"], tuple(sorted(r0 - r1)), tuple(sorted(r1 - r0)))] += 1
        for (op, st, gone, new), count in quiet.items():
            print(f"      (same status {st}) {count} x {op}: gone {list(gone)}; new {list(new)}")
