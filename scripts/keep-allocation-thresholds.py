#!/usr/bin/env python3
"""Post-processes the static thresholds that `benchmark thresholds update` wrote:

- keeps only the allocation count (times and throughput on a shared machine are too noisy to
  fail a check on);
- names each file as `thresholds check` looks for it: package-benchmark 1.38 writes
  `Target.Name.p90.json` with spaces in the name turned into underscores, but reads it back
  with the spaces (Quad's benchmark names have spaces and no underscores, so this is exact).
"""
import glob
import json
import os
import sys

for path in glob.glob(sys.argv[1] + "/*.p90.json"):
    with open(path) as file:
        thresholds = json.load(file)
    os.remove(path)
    directory, name = os.path.split(path)
    target, rest = name.split(".", 1)
    with open(os.path.join(directory, target + "." + rest.replace("_", " ")), "w") as file:
        json.dump({"mallocCountTotal": thresholds["mallocCountTotal"]}, file, indent=2, sort_keys=True)
        file.write("\n")
